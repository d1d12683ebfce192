"""Rooms and venues the department books for sessions, with their capacity and fittings."""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict
from shared.store import fetch, new_id, page, version_guard

from services.resources.contract import OPEN
from services.resources.store import ROOMS


def create_room(db, room, actor, now):
    doc = dict(room, _id=new_id("room"), status=OPEN, created_by=actor["id"], created_at=now, updated_at=now)
    try:
        db[ROOMS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(f"{room['site']} already has a room called {room['name']}",
                       {"site": room["site"], "name": room["name"]}) from None
    return doc


def get_room(db, room_id):
    return fetch(db[ROOMS], room_id, "room")


def update_room(db, room_id, changes, now):
    """Change what the update names; with `version`, only if the room is still at that version."""
    changes = dict(changes)
    expected = changes.pop("version", None)
    updated = db[ROOMS].find_one_and_update({"_id": room_id, **version_guard(expected)},
                                            {"$set": dict(changes, updated_at=now), "$inc": {"version": 1}},
                                            return_document=ReturnDocument.AFTER)
    if updated is None:
        current = get_room(db, room_id)
        raise Conflict(f"the room changed since version {expected}; read it again and redo your change",
                       {"room_id": room_id, "version": current.get("version", 0)})
    return updated


def list_rooms(db, site=None, min_capacity=None, fitting=None, status=None, limit=20, offset=0):
    query = {key: value for key, value in (("site", site), ("fittings", fitting), ("status", status)) if value}
    if min_capacity:
        query["capacity"] = {"$gte": min_capacity}
    return page(db[ROOMS], query, [("site", 1), ("name", 1)], limit, offset)


def open_rooms(db, min_capacity=None):
    query = {"status": OPEN, **({"capacity": {"$gte": min_capacity}} if min_capacity else {})}
    return list(db[ROOMS].find(query).sort([("capacity", 1), ("name", 1)]))
