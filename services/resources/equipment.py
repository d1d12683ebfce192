"""The equipment ledger: assets with their status, maintenance and repair log, upgrades, usage
per session, and scrapping with a disposal record.

    available ⇄ in_use (checked out to a session in progress)
    available or in_use → maintenance → available
    available or maintenance → retired (scrapped; never booked again)
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, NotFound
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.resources.contract import AVAILABLE, IN_USE, MAINTENANCE, RETIRED
from services.resources.store import EQUIPMENT

TRANSITIONS = {
    "check_out": ((AVAILABLE,), IN_USE),
    "check_in": ((IN_USE,), AVAILABLE),
    "start_maintenance": ((AVAILABLE, IN_USE), MAINTENANCE),
    "finish_maintenance": ((MAINTENANCE,), AVAILABLE),
    "retire": ((AVAILABLE, MAINTENANCE), RETIRED),
}
EQUIPMENT_STATES = StateMachine(EQUIPMENT, "equipment", TRANSITIONS)


def display_name(item):
    return f"{item['type']} {item['model']} ({item['asset_tag']})"


def register_equipment(db, item, actor, now):
    doc = dict(item, _id=new_id("equipment"), name=display_name(item), status=AVAILABLE, maintenance=[],
               upgrades=[], usage=[], hours_used=0.0, disposal=None, created_by=actor["id"], created_at=now,
               updated_at=now)
    try:
        db[EQUIPMENT].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(f"asset tag {item['asset_tag']} is already in the ledger",
                       {"asset_tag": item["asset_tag"]}) from None
    return doc


def get_equipment(db, equipment_id):
    return fetch(db[EQUIPMENT], equipment_id, "equipment")


def list_equipment(db, status=None, type=None, location=None, limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("type", type), ("location", location)) if value}
    return page(db[EQUIPMENT], query, [("asset_tag", 1)], limit, offset)


def bookable_of_type(db, item_type):
    return list(db[EQUIPMENT].find({"type": item_type, "status": {"$in": [AVAILABLE, IN_USE]}}).sort("asset_tag", 1))


def move(db, equipment_id, action, actor, now):
    """check_out or check_in."""
    return EQUIPMENT_STATES.apply(db, get_equipment(db, equipment_id), action, now=now,
                                  changes={"last_moved_by": actor["id"]})


def open_maintenance(db, equipment_id, request, actor, now):
    """Take the asset out of service for scheduled work, a fault or a repair."""
    record = dict(request, id=new_id("maintenance"), reported_by=actor["id"], opened_at=now, repaired_by=None,
                  cost=None, notes=None, closed_by=None, closed_at=None)
    return EQUIPMENT_STATES.apply(db, get_equipment(db, equipment_id), "start_maintenance",
                                  push={"maintenance": record}, now=now)


def close_maintenance(db, equipment_id, record_id, outcome, actor, now):
    """Record who did the work and what it cost; the asset is available again."""
    item = get_equipment(db, equipment_id)
    index = next((index for index, record in enumerate(item["maintenance"]) if record["id"] == record_id), None)
    if index is None:
        raise NotFound(f"maintenance record {record_id} does not exist", {"maintenance_id": record_id})
    record = f"maintenance.{index}"  # records are only ever appended, so the index stays the record's
    changes = {f"{record}.{key}": value for key, value in outcome.items()}
    changes.update({f"{record}.cost": stored_amount(outcome["cost"]), f"{record}.closed_by": actor["id"],
                    f"{record}.closed_at": now})
    return EQUIPMENT_STATES.apply(db, item, "finish_maintenance", changes=changes, now=now,
                                  guard={f"{record}.id": record_id, f"{record}.closed_at": None})


def record_upgrade(db, equipment_id, upgrade, actor, now):
    item = get_equipment(db, equipment_id)
    record = {"id": new_id("upgrade"), "description": upgrade["description"], "previous_model": item["model"],
              "new_model": upgrade["new_model"], "cost": stored_amount(upgrade["cost"]), "by": actor["id"], "at": now}
    model = upgrade["new_model"] or item["model"]
    updated = db[EQUIPMENT].find_one_and_update(
        {"_id": equipment_id, "status": {"$ne": RETIRED}, "model": item["model"]},
        {"$push": {"upgrades": record}, "$set": {"model": model, "name": display_name(dict(item, model=model)),
                                                 "updated_at": now}},
        return_document=ReturnDocument.AFTER)
    if updated is None:
        raise EQUIPMENT_STATES.conflict(get_equipment(db, equipment_id), "upgrade")
    return updated


def retire(db, equipment_id, disposal, actor, new_event, now):
    """Scrap the asset with its disposal record, written together with EquipmentRetired.v1."""
    item = get_equipment(db, equipment_id)
    record = dict(disposal, proceeds=stored_amount(disposal["proceeds"]), by=actor["id"], at=now)
    event = new_event("EquipmentRetired.v1", equipment_id, {
        "equipment_id": equipment_id, "asset_tag": item["asset_tag"], "reason": disposal["reason"],
        "retired_at": now})
    return EQUIPMENT_STATES.apply(db, item, "retire", changes={"disposal": record}, events=[event], now=now)


def record_usage(db, equipment_ids, session, hours, now):
    """Log a completed session on each asset it used, once per session."""
    entry = {"session_id": session["session_id"], "title": session["title"], "starts_at": session["starts_at"],
             "ends_at": session["ends_at"], "hours": hours}
    for equipment_id in equipment_ids:
        db[EQUIPMENT].update_one({"_id": equipment_id, "usage.session_id": {"$ne": session["session_id"]}},
                                 {"$push": {"usage": entry}, "$inc": {"hours_used": hours},
                                  "$set": {"updated_at": now}})


def stored_amount(value):
    """Money is kept as its decimal text, never as a float."""
    return None if value is None else str(value)
