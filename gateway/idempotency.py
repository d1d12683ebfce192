"""Idempotency-Key on every POST: a retried write answers its first result and writes nothing again.

The first request with a key claims it (an insert under a unique id made of the caller, the
route and the key) and, once answered, records its status and body there. The same key with the
same body then gets that answer again, marked `Idempotent-Replayed: true`; with another body it
is refused (422); while the first is still running, 409. An outcome that is not final (5xx,
including 503 and 504) releases the key, so the client may retry. Records live in the gateway's
own small database (GATEWAY_MONGO_URI) for IDEMPOTENCY_TTL_HOURS.
"""
import hashlib
import json
from datetime import timedelta

from flask import current_app, g, request
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.errors import DomainError, InvalidInput
from shared.events import utc_now
from shared.store import connect

from gateway.errors import error_response

HEADER = "Idempotency-Key"
PENDING, DONE = "pending", "done"
MAX_KEY_LENGTH = 200


class IdempotencyStore:
    def __init__(self, mongo_uri, ttl_hours=24):
        self.mongo_uri, self.ttl = mongo_uri, timedelta(hours=ttl_hours)
        self._collection = None

    @property
    def collection(self):
        if self._collection is None:  # connect on first use: most requests carry no key
            _, db = connect(self.mongo_uri, "gateway", 3)
            db["idempotency_keys"].create_index("created_at", expireAfterSeconds=int(self.ttl.total_seconds()))
            self._collection = db["idempotency_keys"]
        return self._collection

    def begin(self, record_id, body_hash):
        """None when this request may run; else the earlier record."""
        now = utc_now()
        try:
            self.collection.insert_one({"_id": record_id, "state": PENDING, "body_hash": body_hash, "created_at": now})
            return None
        except DuplicateKeyError:
            earlier = self.collection.find_one({"_id": record_id})
        if earlier is not None and earlier["created_at"] < now - self.ttl:  # expired, not yet swept
            self.collection.delete_one({"_id": record_id, "created_at": earlier["created_at"]})
            return self.begin(record_id, body_hash)
        return earlier

    def finish(self, record_id, status, body):
        self.collection.update_one({"_id": record_id}, {"$set": {"state": DONE, "status": status, "body": body}})

    def release(self, record_id):
        self.collection.delete_one({"_id": record_id, "state": PENDING})


def run_idempotently(view, *args, **kwargs):
    """Run a POST view once per Idempotency-Key (after authentication, so keys are per caller)."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return view(*args, **kwargs)
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidInput(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters", {"header": HEADER})
    store = current_app.extensions["idempotency"]
    record_id = hashlib.sha256("\n".join((g.actor["id"], request.path, key)).encode()).hexdigest()
    body_hash = hashlib.sha256(request.get_data()).hexdigest()
    try:
        earlier = store.begin(record_id, body_hash)
    except PyMongoError as exc:
        raise StoreUnavailable() from exc
    if earlier is not None:
        return replay(earlier, body_hash)

    try:
        result = view(*args, **kwargs)
    except DomainError as error:  # a refusal is the request's final answer too
        response, status = error_response(error.http_status, error.message, error.details, error.code)
        store.finish(record_id, status, response.get_json())
        return response, status
    except Exception:
        store.release(record_id)
        raise
    body, status = (result if isinstance(result, tuple) else (result, 200))[:2]
    if not isinstance(body, (dict, list)):  # not a JSON answer (a file): nothing to replay
        store.release(record_id)
        return result
    store.finish(record_id, status, json.loads(json.dumps(body, default=str)))
    return body, status


def replay(earlier, body_hash):
    if earlier["body_hash"] != body_hash:
        raise InvalidInput(f"this {HEADER} was used with a different body", {"header": HEADER})
    if earlier["state"] != DONE:
        raise KeyInUse()
    return earlier["body"], earlier["status"], {"Idempotent-Replayed": "true"}


class KeyInUse(DomainError):
    code = "idempotency_key_in_use"
    http_status = 409

    def __init__(self):
        super().__init__(f"a request with this {HEADER} is still being processed; retry later")


class StoreUnavailable(DomainError):
    code = "service_unavailable"
    http_status = 503

    def __init__(self):
        super().__init__(f"requests with an {HEADER} cannot be accepted now: the gateway's store is unreachable")
