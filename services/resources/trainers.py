"""The trainer pool: who can teach which topics, in which languages."""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict
from shared.events import utc_now
from shared.store import fetch, new_id, page

from services.resources.store import TRAINERS

ACTIVE = "active"


def register_trainer(db, trainer, actor):
    doc = dict(trainer, _id=new_id("trainer"), status=ACTIVE,
               registered_at=utc_now(), registered_by=actor["id"])
    try:
        db[TRAINERS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("a trainer with this email is already in the pool",
                       {"email": trainer["email"]}) from None
    return doc


def get_trainer(db, trainer_id):
    return fetch(db[TRAINERS], trainer_id, "trainer")


def list_trainers(db, topic=None, limit=20, offset=0):
    query = {"topics": topic} if topic else {}
    return page(db[TRAINERS], query, [("name", 1), ("_id", 1)], limit, offset)
