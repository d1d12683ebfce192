"""Teaching materials: written as drafts, numbered in the catalogue, published after review.

A catalogue number is MAT-<year>-<sequence>, the sequence counting from 0001 each year.
"""
from shared.events import utc_now
from shared.store import fetch, new_id, next_in_sequence, page
from shared.transitions import StateMachine

from services.resources.contract import DRAFT, PUBLISHED
from services.resources.store import MATERIALS

MATERIAL_STATES = StateMachine(MATERIALS, "material", {"publish": ((DRAFT,), PUBLISHED)})
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
    material = MATERIAL_STATES.require(get_material(db, material_id), "publish")
    now = utc_now()
    event = new_event("MaterialPublished.v1", material_id, {
        "material_id": material_id, "number": material["number"], "title": material["title"],
        "category": material["category"], "version": material["version"], "published_at": now})
    return MATERIAL_STATES.apply(db, material, "publish", changes={"published_by": actor["id"], "published_at": now},
                                 events=[event], now=now)
