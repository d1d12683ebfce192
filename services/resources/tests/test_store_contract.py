"""What resources relies on from the store, proved against the embedded store (as tests/test_store.py
does for the kit): GridFS for material files, the calendar's overlap guard under concurrent
writers, array filters for erasure, and a unique index that skips documents without the field."""
import hashlib
import os
from datetime import datetime, timedelta, timezone

import pytest
from gridfs import GridFSBucket
from pymongo.errors import DuplicateKeyError

from shared.testing import run_together

from services.resources import calendars
from services.resources.store import CALENDARS, FILE_BUCKET, MATERIALS, ensure_indexes

NINE = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


@pytest.fixture
def db(scratch_db):
    return scratch_db


def test_gridfs_keeps_files_of_several_chunks_byte_for_byte(db):
    bucket = GridFSBucket(db, bucket_name=FILE_BUCKET)
    data = os.urandom(600 * 1024)  # about three of GridFS's 255 KiB chunks
    digest = hashlib.sha256(data).hexdigest()
    bucket.upload_from_stream_with_id("file-1", "slides.pdf", data, metadata={"sha256": digest})

    stored = bucket.open_download_stream("file-1")
    assert stored.read() == data
    assert (stored.length, stored.filename, stored.metadata["sha256"]) == (len(data), "slides.pdf", digest)
    assert db[f"{FILE_BUCKET}.chunks"].count_documents({"files_id": "file-1"}) == 3
    bucket.delete("file-1")
    assert db[f"{FILE_BUCKET}.chunks"].count_documents({}) == 0


def test_of_sessions_racing_for_one_resource_exactly_one_holds_it_each_round(db):
    winners_per_round = []
    for round_number in range(20):
        start = NINE + timedelta(days=round_number)
        # Eight sessions at overlapping times (each starts 10 minutes after the previous).
        holders = run_together(8, lambda i: calendars.hold(db, "trainer", "ada", f"session-{round_number}-{i}", 1,
                                                           start + timedelta(minutes=10 * i),
                                                           start + timedelta(hours=2, minutes=10 * i)))
        winners_per_round.append(holders.count(None))
    assert winners_per_round == [1] * 20
    entries = db[CALENDARS].find_one({"_id": "trainer:ada"})["entries"]
    assert len(entries) == 20


def test_back_to_back_intervals_do_not_overlap_and_holding_again_changes_nothing(db):
    assert calendars.hold(db, "room", "r1", "s1", 1, NINE, NINE + timedelta(hours=2)) is None
    assert calendars.hold(db, "room", "r1", "s2", 1, NINE + timedelta(hours=2), NINE + timedelta(hours=3)) is None
    assert calendars.hold(db, "room", "r1", "s1", 1, NINE, NINE + timedelta(hours=2)) is None
    assert calendars.hold(db, "room", "r1", "s3", 1, NINE + timedelta(hours=1), NINE + timedelta(hours=4)) == "s1"
    assert len(db[CALENDARS].find_one({"_id": "room:r1"})["entries"]) == 2
    assert calendars.busy(db, "room", ["r1", "r2"], "s3", NINE, NINE + timedelta(minutes=5)) == {"r1"}


def test_array_filters_update_matching_elements_only(db):
    db.copies.insert_one({"_id": "c", "history": [{"id": 1, "who": "ada", "name": "Ada"}, {"id": 2, "who": "bob"},
                                                  {"id": 3, "who": "ada", "name": "Ada"}]})
    # The filter names a field the update leaves alone: the embedded store matches the filter
    # again for each path it sets, so filtering on `who` would set `name` on no element.
    db.copies.update_one({"_id": "c"}, {"$set": {"history.$[entry].who": "erased", "history.$[entry].name": None}},
                         array_filters=[{"entry.id": {"$in": [1, 3]}}])
    assert [(entry["who"], entry.get("name")) for entry in db.copies.find_one({"_id": "c"})["history"]] == [
        ("erased", None), ("bob", None), ("erased", None)]


def test_material_numbers_are_unique_and_drafts_without_one_do_not_collide(db):
    ensure_indexes(db)
    db[MATERIALS].insert_many([{"_id": "m1"}, {"_id": "m2"}, {"_id": "m3", "number": "MAT-2026-0001"}])
    with pytest.raises(DuplicateKeyError):
        db[MATERIALS].insert_one({"_id": "m4", "number": "MAT-2026-0001"})
