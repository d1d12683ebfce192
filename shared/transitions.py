"""Guarded state changes: an aggregate's transition table and the one way to move it.

Each aggregate names its actions in a table, action -> (states it may start from, state it leads
to). `apply` moves a document with a single conditional update on the state it was read in (and
any further guard, e.g. a revision), writing the change, a history entry and its events in one
atomic write. Of two people acting at once, one wins; the other gets a Conflict carrying the
state they lost to (HTTP 409).
"""
from pymongo import ReturnDocument

from shared.errors import Conflict, NotFound
from shared.events import utc_now
from shared.outbox import with_events


class StateMachine:
    def __init__(self, collection, noun, transitions, status_field="status"):
        self.collection = collection
        self.noun = noun
        self.transitions = transitions
        self.status_field = status_field

    def allows(self, doc, action):
        return doc[self.status_field] in self.transitions[action][0]

    def require(self, doc, action):
        """Conflict unless the document's current state allows the action."""
        if not self.allows(doc, action):
            raise self.conflict(doc, action)
        return doc

    def apply(self, db, doc, action, changes=None, push=None, events=(), guard=None, history=None, now=None):
        """Move `doc` by `action`; returns the document as written, or raises Conflict.

        `changes` are $set with the new state, `push` maps array fields to one value each,
        `history` (a dict) is appended to the document's `history`, `events` go to its outbox,
        and `guard` adds conditions besides the state, e.g. {"revision": 3}.
        """
        self.require(doc, action)
        now = now or utc_now()
        to_state = self.transitions[action][1]
        update = {"$set": dict(changes or {}, **{self.status_field: to_state, "updated_at": now})}
        pushes = dict(push or {})
        if history is not None:
            pushes["history"] = dict(history, at=history.get("at", now))
        if pushes:
            update["$push"] = pushes
        if events:
            update = with_events(update, *events)
        current = {"_id": doc["_id"], self.status_field: doc[self.status_field], **(guard or {})}
        updated = db[self.collection].find_one_and_update(current, update, return_document=ReturnDocument.AFTER)
        if updated is None:  # someone else moved it between our read and our write
            latest = db[self.collection].find_one({"_id": doc["_id"]})
            if latest is None:
                raise NotFound(f"{self.noun} {doc['_id']} does not exist", {f"{self.noun}_id": doc["_id"]})
            raise self.conflict(latest, action)
        return updated

    def conflict(self, doc, action, **details):
        state = doc[self.status_field]
        return Conflict(f"cannot {action.replace('_', ' ')} a {self.noun} that is {state.replace('_', ' ')}",
                        dict({"status": state, f"{self.noun}_id": doc["_id"]}, **details))
