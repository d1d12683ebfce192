"""The trainer pool: who can teach which topics, in which languages."""
import uuid

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, NotFound
from shared.events import utc_now
from shared.store import page

from services.resources.store import TRAINERS

ACTIVE = "active"


def register_trainer(db, trainer, actor):
    doc = dict(trainer, _id=f"trainer-{uuid.uuid4().hex[:12]}", status=ACTIVE,
               registered_at=utc_now(), registered_by=actor["id"])
    try:
        db[TRAINERS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("a trainer with this email is already in the pool",
                       {"email": trainer["email"]}) from None
    return doc


def get_trainer(db, trainer_id):
    trainer = db[TRAINERS].find_one({"_id": trainer_id})
    if trainer is None:
        raise NotFound(f"trainer {trainer_id} does not exist", {"trainer_id": trainer_id})
    return trainer


def list_trainers(db, topic=None, limit=20, offset=0):
    query = {"topics": topic} if topic else {}
    return page(db[TRAINERS], query, [("name", 1), ("_id", 1)], limit, offset)
