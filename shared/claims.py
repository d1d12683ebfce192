"""Claims on side effects outside the platform (email, SMS, webhooks), DESIGN.md §3.2.

Before sending, a worker claims the message with one conditional update on the document that
records it: `<path>.status` becomes "sending" unless it is already "sent", or "sending" under a
claim younger than `stale_after`. Only the worker whose claim took sends; a redelivered or
replayed event finds the claim (or the "sent" record) and sends nothing. A claim left behind by
a crash between sending and recording is taken again once it is stale, so the message is sent
again only then (at least once, never twice while the first attempt can still finish).
"""
SENDING, SENT = "sending", "sent"


def claim(collection, doc_id, path, now, stale_after, guard=None):
    """True if this caller may send what `path` (a dotted field of the document) records."""
    free = {"$or": [{f"{path}.status": {"$nin": [SENDING, SENT]}},
                    {f"{path}.status": SENDING, f"{path}.claimed_at": {"$lt": now - stale_after}}]}
    result = collection.update_one({"_id": doc_id, **(guard or {}), **free},
                                   {"$set": {f"{path}.status": SENDING, f"{path}.claimed_at": now}})
    return result.modified_count == 1


def record(collection, doc_id, path, outcome):
    """Replace the claim with the outcome of the attempt (a dict with its own `status`)."""
    collection.update_one({"_id": doc_id}, {"$set": {path: outcome}})


def send_once(collection, doc_id, path, send, now, stale_after, guard=None):
    """Claim `path`, call `send()` (which returns the outcome dict), record it; returns the
    outcome, or None when the message is sent already or another worker is sending it."""
    if not claim(collection, doc_id, path, now, stale_after, guard):
        return None
    outcome = send()
    record(collection, doc_id, path, outcome)
    return outcome
