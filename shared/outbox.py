"""Transactional outbox on single documents.

A state change and the events it causes are written together: the envelopes go into the changed
document's `outbox` array in the same update (single-document atomicity, on MongoDB and the
embedded store alike). Right after the write the worker publishes them with confirms and pulls each one
out; if the process dies or the broker is down in between, the relay finds them later and
publishes them then. Consumers are idempotent, so a rare double publish is harmless.
"""
import json
import logging
from datetime import timedelta

from shared.events import event_time, make_envelope, utc_now

log = logging.getLogger(__name__)

OUTBOX_FIELD = "outbox"
# What the service has published, kept for replays to a subscriber (see PublishedEvents).
PUBLISHED_EVENTS = "published_events"


def with_events(update, *envelopes):
    """Add envelopes to a MongoDB update document, so they are written with the change."""
    update = dict(update)
    push = dict(update.get("$push", {}))
    push[OUTBOX_FIELD] = {"$each": list(envelopes)}
    update["$push"] = push
    return update


def new_event(type_name, subject, data, correlation_id=None):
    return make_envelope(type_name, subject, data, correlation_id=correlation_id)


class Outbox:
    """Publishes what documents of the given collections hold in their outbox."""

    def __init__(self, db, publisher, collections, on_published=None):
        self.db = db
        self.publisher = publisher
        self.collections = tuple(collections)
        self.on_published = on_published or (lambda envelope: None)

    def flush(self, envelopes):
        """Publish just-written envelopes from the documents holding them; returns how many went out.

        An event is usually about the document it was written to (subject = _id), so each is
        looked for there first; the others are found through the outbox.id index. Envelopes
        that were never written (the write failed or was refused) are found nowhere and skipped.
        """
        remaining = {envelope["id"]: envelope for envelope in envelopes}
        sent = 0
        for collection in self.collections:
            for envelope in list(remaining.values()):
                holder = self.db[collection].find_one(
                    {"_id": envelope["subject"], f"{OUTBOX_FIELD}.id": envelope["id"]}, {"_id": 1})
                if holder:
                    sent += self._publish(collection, holder["_id"], remaining.pop(envelope["id"]))
        for collection in self.collections:
            if not remaining:
                break
            for holder in self.db[collection].find({f"{OUTBOX_FIELD}.id": {"$in": list(remaining)}}, {OUTBOX_FIELD: 1}):
                for envelope in holder[OUTBOX_FIELD]:
                    if remaining.pop(envelope["id"], None):
                        sent += self._publish(collection, holder["_id"], envelope)
        return sent

    def relay(self, min_age_seconds):
        """Publish events left behind by a crash or outage; returns how many went out."""
        cutoff = utc_now() - timedelta(seconds=min_age_seconds)
        sent = 0
        for collection in self.collections:
            for doc in self.db[collection].find(self.pending_filter(), {OUTBOX_FIELD: 1}):
                sent += self._publish_all(collection, doc, older_than=cutoff)
        return sent

    def backlog(self):
        """Number of events written but not yet confirmed by the broker."""
        total = 0
        for collection in self.collections:
            for doc in self.db[collection].find(self.pending_filter(), {OUTBOX_FIELD: 1}):
                total += len(doc.get(OUTBOX_FIELD, []))
        return total

    @staticmethod
    def pending_filter():
        # Served by the index on outbox.id (multikey on MongoDB): the relay never scans a collection.
        return {f"{OUTBOX_FIELD}.id": {"$exists": True}}

    @staticmethod
    def ensure_indexes(db, collections):
        for collection in collections:
            db[collection].create_index(f"{OUTBOX_FIELD}.id")
        db[PUBLISHED_EVENTS].create_index([("time", 1), ("type", 1)])

    def _publish_all(self, collection, doc, older_than=None):
        sent = 0
        for envelope in doc.get(OUTBOX_FIELD, []):
            if older_than is None or event_time(envelope) <= older_than:
                sent += self._publish(collection, doc["_id"], envelope)
        return sent

    def _publish(self, collection, doc_id, envelope):
        # Kept for replays before it goes out, so that whatever its consumers do in reaction
        # (an erasure scrubbing this store, say) finds it there.
        self.db[PUBLISHED_EVENTS].update_one(
            {"_id": envelope["id"]},
            {"$setOnInsert": {"type": envelope["type"], "time": event_time(envelope), "envelope": envelope}},
            upsert=True)
        self.publisher.publish(envelope)
        self.db[collection].update_one({"_id": doc_id}, {"$pull": {OUTBOX_FIELD: {"id": envelope["id"]}}})
        self.on_published(envelope)
        return 1


class PublishedEvents:
    """What a service published, kept for a retention period so that a new subscriber can
    backfill: an administrator replays a time range and set of types into that subscriber's
    queue alone. Replayed envelopes keep their ids, so subscribers deduplicate them as usual."""

    def __init__(self, db, publisher):
        self.collection = db[PUBLISHED_EVENTS]
        self.publisher = publisher

    def replay(self, queue, since, until, types=None, limit=10_000):
        """Send the matching events, oldest first, to one queue through the service's replay
        exchange (where the subscriber binds its queue by its name); returns (sent, more_left).
        Raises shared.publisher.Unroutable if the queue is not bound there."""
        query = {"time": {"$gte": since, "$lt": until}, **({"type": {"$in": list(types)}} if types else {})}
        found = list(self.collection.find(query, {"envelope": 1}).sort([("time", 1), ("_id", 1)]).limit(limit + 1))
        sent = self.publisher.replay(queue, [record["envelope"] for record in found[:limit]])
        return sent, len(found) > limit

    def pseudonymise(self, identifier, pseudonym):
        """Replace an erased learner's id wherever it appears in kept events; returns how many changed."""
        return replace_everywhere(self.collection, "envelope", identifier, pseudonym)

    def prune(self, retention_days, now):
        """Forget what is older than the retention period; returns how many were removed."""
        return self.collection.delete_many({"time": {"$lt": now - timedelta(days=retention_days)}}).deleted_count


def replace_everywhere(collection, field, identifier, pseudonym):
    """Rewrite `field` of every document of `collection` where `identifier` appears as a whole
    JSON string, with `pseudonym` instead. A scan: erasures are rare, these stores are bounded."""
    needle, changed = json.dumps(identifier), 0
    for doc in collection.find({}, {field: 1}):
        text = json.dumps(doc.get(field), default=str)
        if needle in text:
            replaced = json.loads(text.replace(needle, json.dumps(pseudonym)))
            collection.update_one({"_id": doc["_id"]}, {"$set": {field: replaced}})
            changed += 1
    return changed
