"""Learners' training archives: who they are and who may read them."""
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden
from shared.events import utc_now
from shared.identity import is_staff
from shared.store import fetch, new_id, page

from services.archive.store import LEARNERS

def register_learner(db, learner, actor, new_event):
    learner_id = new_id("learner")
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
    learner = fetch(db[LEARNERS], learner_id, "learner")
    if not may_read(learner, actor):
        raise Forbidden("a learner may read only their own archive", {"learner_id": learner_id})
    return learner


def may_read(learner, actor):
    return is_staff(actor) or (
        learner.get("subject") is not None and learner["subject"] == actor["id"])


def list_learners(db, organisation=None, limit=20, offset=0):
    query = {"organisation": organisation} if organisation else {}
    return page(db[LEARNERS], query, [("last_name", 1), ("_id", 1)], limit, offset)


def contacts(db, learner_ids):
    """Contact details of the learners (by sign-in subject) the archive knows; others are left out."""
    found = db[LEARNERS].find({"subject": {"$in": list(learner_ids)}})
    return [{"learner_id": learner["subject"], "name": f"{learner['first_name']} {learner['last_name']}",
             "email": learner.get("email"), "phone": learner.get("phone"), "language": learner.get("language")}
            for learner in found]
