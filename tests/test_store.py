"""The embedded store (mongo-java-server on durable H2 files), tested as the services use it.

  * isolation: concurrent conditional updates have exactly one winner; concurrent $inc add up;
  * durability: acknowledged writes survive kill -9 of the store process;
  * contract: every kind of operation the services rely on works here, so no service can start
    depending on something the embedded store lacks. (MongoDB, the production store, has all
    of them; nothing in this repository's CI runs against a real mongod.)
"""
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.testing import StoreProcess, run_together

THREADS = 8


@pytest.fixture
def db(scratch_db):
    return scratch_db


def test_concurrent_conditional_updates_have_exactly_one_winner(db):
    db.plans.insert_one({"_id": "plan-1", "status": "submitted"})
    winners_per_round = []
    for _ in range(50):
        db.plans.update_one({"_id": "plan-1"}, {"$set": {"status": "submitted"}, "$unset": {"by": ""}})
        results = run_together(THREADS, lambda i: db.plans.find_one_and_update(
            {"_id": "plan-1", "status": "submitted"}, {"$set": {"status": "approved", "by": i}},
            return_document=ReturnDocument.AFTER))
        winners = [result for result in results if result is not None]
        winners_per_round.append(len(winners))
        assert db.plans.find_one({"_id": "plan-1"})["by"] == winners[0]["by"]
    assert winners_per_round == [1] * 50


def test_concurrent_increments_add_up(db):
    db.counters.insert_one({"_id": "seats", "taken": 0})

    def increment(_):
        for _ in range(200):
            db.counters.update_one({"_id": "seats"}, {"$inc": {"taken": 1}})

    run_together(THREADS, increment)
    assert db.counters.find_one({"_id": "seats"})["taken"] == THREADS * 200


def test_concurrent_find_one_and_update_answers_each_caller_with_its_own_result(db):
    """A sequence number handed out by $inc must reach exactly one caller."""
    db.sequences.insert_one({"_id": "material-2026", "last": 0})
    numbers = []
    for _ in range(10):
        numbers += run_together(THREADS, lambda _: db.sequences.find_one_and_update(
            {"_id": "material-2026"}, {"$inc": {"last": 1}}, return_document=ReturnDocument.AFTER)["last"])
    assert sorted(numbers) == list(range(1, 10 * THREADS + 1))


def test_acknowledged_writes_survive_kill_9(tmp_path, free_port_number):
    store = StoreProcess(tmp_path / "durable.mv.db", free_port_number).start()
    try:
        collection = store.client()["durability"]["writes"]
        for number in range(300):
            collection.insert_one({"_id": number, "payload": "x" * 200})
        collection.update_one({"_id": 7}, {"$set": {"changed": True}})
        store.kill()

        store.start()
        collection = store.client()["durability"]["writes"]
        assert collection.count_documents({}) == 300
        assert collection.find_one({"_id": 7})["changed"] is True
    finally:
        store.stop()


# ---- the contract: what services may rely on -------------------------------------------------

def test_unique_and_compound_indexes(db):
    db.enrolments.create_index([("session_id", ASCENDING), ("learner_id", ASCENDING)], unique=True)
    db.enrolments.create_index([("session_id", ASCENDING), ("position", ASCENDING)])
    db.enrolments.insert_one({"session_id": "s1", "learner_id": "ada", "position": 1})
    db.enrolments.insert_one({"session_id": "s2", "learner_id": "ada", "position": 1})
    with pytest.raises(DuplicateKeyError):
        db.enrolments.insert_one({"session_id": "s1", "learner_id": "ada", "position": 2})
    assert db.enrolments.count_documents({}) == 2
    names = {index["name"] for index in db.enrolments.list_indexes()}
    assert {"session_id_1_learner_id_1", "session_id_1_position_1"} <= names


def test_upsert_with_set_on_insert_keeps_nulls_and_first_values(db):
    for attempt in (1, 2):
        db.learners.update_one({"_id": "ada"},
                               {"$set": {"seen": attempt}, "$setOnInsert": {"first": attempt, "phone": None}},
                               upsert=True)
    assert db.learners.find_one({"_id": "ada"}) == {"_id": "ada", "seen": 2, "first": 1, "phone": None}


def test_array_updates(db):
    db.docs.insert_one({"_id": "d", "outbox": [], "tags": ["a"], "matrix": [[1, 2]],
                        "items": [{"id": "i1", "state": "open"}, {"id": "i2", "state": "open"}]})
    db.docs.update_one({"_id": "d"}, {"$push": {"outbox": {"$each": [{"id": "e1"}, {"id": "e2"}]}}})
    db.docs.update_one({"_id": "d"}, {"$pull": {"outbox": {"id": "e1"}}})  # by condition
    db.docs.update_one({"_id": "d"}, {"$addToSet": {"tags": {"$each": ["a", "b"]}}})
    db.docs.update_one({"_id": "d", "items.id": "i2"}, {"$set": {"items.$.state": "done"}})  # positional
    db.docs.update_one({"_id": "d"}, {"$push": {"matrix": [3, 4]}})  # arrays inside arrays
    doc = db.docs.find_one({"_id": "d"})
    assert doc["outbox"] == [{"id": "e2"}]
    assert doc["tags"] == ["a", "b"]
    assert [item["state"] for item in doc["items"]] == ["open", "done"]
    assert doc["matrix"] == [[1, 2], [3, 4]]


def test_counters_min_max_and_unset(db):
    db.stats.insert_one({"_id": "s", "count": 1, "low": 5, "high": 5, "temp": 1})
    db.stats.update_one({"_id": "s"}, {"$inc": {"count": 2, "nested.count": 1}, "$min": {"low": 3},
                                       "$max": {"high": 9}, "$unset": {"temp": ""}})
    assert db.stats.find_one({"_id": "s"}) == {"_id": "s", "count": 3, "low": 3, "high": 9, "nested": {"count": 1}}


def test_queries_dotted_operators_sort_skip_limit_count(db):
    db.sessions.create_index([("starts_at", ASCENDING)])
    start = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)
    db.sessions.insert_many([{"_id": f"s{n}", "starts_at": start + timedelta(days=n), "status": "open" if n % 2 else "done",
                              "venue": {"city": "Berlin" if n < 5 else "Paris"}, "trainers": [f"t{n % 3}"],
                              "title": f"Session {n}"} for n in range(10)])
    query = {"venue.city": "Berlin", "status": {"$in": ["open"]}, "trainers": "t1"}
    assert [doc["_id"] for doc in db.sessions.find(query)] == ["s1"]
    page = db.sessions.find({"status": "open"}).sort([("starts_at", DESCENDING), ("_id", ASCENDING)]).skip(1).limit(2)
    assert [doc["_id"] for doc in page] == ["s7", "s5"]
    assert db.sessions.count_documents({"starts_at": {"$gte": start + timedelta(days=5)}}) == 5
    assert db.sessions.count_documents({"venue.city": {"$exists": True}, "$or": [{"_id": "s0"}, {"_id": "s9"}]}) == 2
    assert db.sessions.count_documents({"title": {"$regex": "^session 1", "$options": "i"}}) == 1
    assert db.sessions.count_documents({"trainers": {"$elemMatch": {"$eq": "t2"}}}) == 3
    assert db.sessions.find_one({"_id": "s3"}, {"title": 1}) == {"_id": "s3", "title": "Session 3"}
    assert sorted(db.sessions.distinct("venue.city")) == ["Berlin", "Paris"]


def test_timezone_aware_datetimes_round_trip_in_utc(db):
    local = datetime(2026, 7, 1, 9, 30, 15, 123000, tzinfo=timezone(timedelta(hours=2)))
    db.times.insert_one({"_id": "t", "at": local})
    stored = db.times.find_one({"_id": "t"})["at"]
    assert stored == local and stored.utcoffset() == timedelta(0)
    assert db.times.count_documents({"at": {"$lt": local + timedelta(milliseconds=1)}}) == 1


def test_aggregation_stages(db):
    db.results.insert_many([{"exam": "e1", "learner": "ada", "score": 80, "topics": ["a", "b"]},
                            {"exam": "e1", "learner": "bob", "score": 40, "topics": ["a"]},
                            {"exam": "e2", "learner": "ada", "score": 90, "topics": []}])
    by_exam = list(db.results.aggregate([
        {"$match": {"score": {"$gte": 0}}},
        {"$group": {"_id": "$exam", "n": {"$sum": 1}, "mean": {"$avg": "$score"}, "low": {"$min": "$score"},
                    "high": {"$max": "$score"}, "learners": {"$addToSet": "$learner"}, "scores": {"$push": "$score"}}},
        {"$sort": {"_id": 1}},
        {"$project": {"n": 1, "mean": 1, "low": 1, "high": 1, "scores": 1}},
    ]))
    assert by_exam == [{"_id": "e1", "n": 2, "mean": 60.0, "low": 40, "high": 80, "scores": [80, 40]},
                       {"_id": "e2", "n": 1, "mean": 90.0, "low": 90, "high": 90, "scores": [90]}]
    per_topic = list(db.results.aggregate([{"$unwind": "$topics"}, {"$group": {"_id": "$topics", "n": {"$sum": 1}}},
                                           {"$sort": {"n": -1, "_id": 1}}, {"$skip": 0}, {"$limit": 5}]))
    assert per_topic == [{"_id": "a", "n": 2}, {"_id": "b", "n": 1}]
    assert list(db.results.aggregate([{"$match": {"learner": "ada"}}, {"$count": "n"}])) == [{"n": 2}]


def test_find_one_and_update_upsert_returns_the_document(db):
    first = db.numbers.find_one_and_update({"_id": "material-2026"}, {"$inc": {"last": 1}}, upsert=True,
                                           return_document=ReturnDocument.AFTER)
    second = db.numbers.find_one_and_update({"_id": "material-2026"}, {"$inc": {"last": 1}}, upsert=True,
                                            return_document=ReturnDocument.AFTER)
    assert (first["last"], second["last"]) == (1, 2)


def test_delete_and_replace(db):
    db.loans.insert_many([{"_id": 1, "open": True}, {"_id": 2, "open": False}])
    assert db.loans.delete_many({"open": False}).deleted_count == 1
    db.loans.replace_one({"_id": 1}, {"open": False, "returned": True})
    assert list(db.loans.find()) == [{"_id": 1, "open": False, "returned": True}]


def test_filters_on_id_and_state_match_only_when_everything_matches(db):
    db.plans.insert_one({"_id": "plan-1", "status": "draft", "revision": 2})
    assert db.plans.find_one({"_id": "plan-1", "status": "submitted"}) is None
    assert db.plans.find_one({"_id": "plan-2", "status": "draft"}) is None
    assert db.plans.find_one_and_update({"_id": "plan-1", "revision": {"$gt": 2}}, {"$set": {"x": 1}}) is None
    assert db.plans.update_one({"_id": "plan-1", "status": "draft", "revision": 2},
                               {"$set": {"status": "submitted"}}).modified_count == 1
    assert db.plans.count_documents({"_id": "plan-1", "status": "submitted"}) == 1
    assert db.plans.delete_one({"_id": "plan-1", "status": "draft"}).deleted_count == 0
