"""Learners' training archives: who they are and who may read them."""
import uuid

from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, NotFound
from shared.events import utc_now
from shared.store import page

from services.archive.store import LEARNERS

STAFF_ROLES = {"supervisor", "manager", "trainer", "specialist", "auditor", "admin"}


def register_learner(db, learner, actor, new_event):
    learner_id = f"learner-{uuid.uuid4().hex[:12]}"
    now = utc_now()
    # The event carries no personal data: consumers that need it ask the archive.
    event = new_event("LearnerRegistered.v1", learner_id, {
        "learner_id": learner_id, "organisation": learner["organisation"], "registered_at": now})
    doc = dict(learner, _id=learner_id, registered_at=now, registered_by=actor["id"], outbox=[event])
    try:
        db[LEARNERS].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict("a learner with this email is already registered",
                       {"email": learner["email"]}) from None
    return doc


def get_learner(db, learner_id, actor):
    """A learner reads only their own archive; staff read any."""
    learner = db[LEARNERS].find_one({"_id": learner_id})
    if learner is None:
        raise NotFound(f"learner {learner_id} does not exist", {"learner_id": learner_id})
    if not may_read(learner, actor):
        raise Forbidden("a learner may read only their own archive", {"learner_id": learner_id})
    return learner


def may_read(learner, actor):
    return bool(STAFF_ROLES & set(actor["roles"])) or (
        learner.get("subject") is not None and learner["subject"] == actor["id"])


def list_learners(db, organisation=None, limit=20, offset=0):
    query = {"organisation": organisation} if organisation else {}
    return page(db[LEARNERS], query, [("last_name", 1), ("_id", 1)], limit, offset)
