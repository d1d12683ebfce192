"""Teaching materials: written as drafts, numbered in the catalogue, published after review.

A catalogue number is MAT-<year>-<sequence>, the sequence counting from 0001 each year.
"""
from pymongo import ReturnDocument

from shared.errors import Conflict
from shared.events import utc_now
from shared.outbox import with_events
from shared.store import fetch, new_id, next_in_sequence, page

from services.resources.store import MATERIALS

DRAFT, PUBLISHED = "draft", "published"
STATUSES = (DRAFT, PUBLISHED)
FIRST_VERSION = 1


def catalogue_number(year, sequence):
    return f"MAT-{year}-{sequence:04d}"


def create_material(db, material, actor):
    """A new draft, version 1, with the year's next catalogue number."""
    now = utc_now()
    sequence = next_in_sequence(db, f"material-{now.year}")
    doc = dict(material, _id=new_id("material"),
               number=catalogue_number(now.year, sequence), year=now.year, sequence=sequence,
               version=FIRST_VERSION, status=DRAFT, created_by=actor["id"], created_at=now,
               published_by=None, published_at=None)
    db[MATERIALS].insert_one(doc)
    return doc


def get_material(db, material_id):
    return fetch(db[MATERIALS], material_id, "material")


def list_materials(db, status=None, category=None, limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("category", category)) if value}
    return page(db[MATERIALS], query, [("year", 1), ("sequence", 1)], limit, offset)


def publish_material(db, material_id, actor, new_event):
    """draft → published, written together with MaterialPublished.v1; 409 for anything else."""
    material = get_material(db, material_id)
    if material["status"] != DRAFT:
        raise not_a_draft(material)
    now = utc_now()
    event = new_event("MaterialPublished.v1", material_id, {
        "material_id": material_id, "number": material["number"], "title": material["title"],
        "category": material["category"], "version": material["version"], "published_at": now})
    published = db[MATERIALS].find_one_and_update(
        {"_id": material_id, "status": DRAFT},
        with_events({"$set": {"status": PUBLISHED, "published_by": actor["id"], "published_at": now}},
                    event),
        return_document=ReturnDocument.AFTER)
    if published is None:  # someone else published it between our read and our write
        raise not_a_draft(get_material(db, material_id))
    return published


def not_a_draft(material):
    return Conflict(f"material {material['number']} is {material['status']}; only a draft can be published",
                    {"status": material["status"], "material_id": material["_id"]})
