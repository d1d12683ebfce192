"""Idempotent, failure-safe event consumption, free of nameko so it can be unit-tested.

For each delivery: validate the envelope, skip it if this handler already applied its id, else
apply it and record its id, retrying transient failures with backoff a bounded number of times;
when attempts run out (or the event is invalid), park it in the dead-letter store, from where it
can be listed and redriven. Recording the id and the effect are two writes, so a crash between
them repeats the effect: handlers make their effects idempotent (natural keys, upserts,
$addToSet, writes keyed by the envelope id). Only if parking itself fails does the error reach the broker, which then requeues
the message (the handler queues are declared with requeue-on-error and a delivery limit).
"""
import logging
import time

from pymongo.errors import ConnectionFailure, DuplicateKeyError

from shared import logs
from shared.outbox import replace_everywhere
from shared.store import page
from shared.events import InvalidEvent, event_time, read_envelope, utc_now

log = logging.getLogger(__name__)

APPLIED, DUPLICATE, PARKED = "applied", "duplicate", "parked"
PARKED_STATUS, REDRIVEN_STATUS = "parked", "redriven"


class EventLedger:
    """The service's record of applied event ids and of parked (dead-lettered) events."""

    def __init__(self, db):
        self.applied = db["applied_events"]
        self.dead_letters = db["dead_letters"]

    @staticmethod
    def ensure_indexes(db):
        # applied_events uses _id = "<handler>:<event id>", unique by construction.
        db["applied_events"].create_index("applied_at")
        db["dead_letters"].create_index([("status", 1), ("parked_at", -1)])

    def was_applied(self, handler, event_id):
        return self.applied.count_documents({"_id": f"{handler}:{event_id}"}, limit=1) > 0

    def mark_applied(self, handler, envelope):
        try:
            self.applied.insert_one({"_id": f"{handler}:{envelope['id']}", "handler": handler,
                                     "event_type": envelope["type"], "applied_at": utc_now()})
        except DuplicateKeyError:
            pass  # a concurrent redelivery got there first; the effect is the same

    def park(self, handler, queue, body, reason, error, attempts):
        envelope_id = body.get("id") if isinstance(body, dict) else None
        dead_letter_id = f"{handler}:{envelope_id or int(time.time() * 1e6)}"
        self.dead_letters.update_one(
            {"_id": dead_letter_id},
            {"$set": {"handler": handler, "queue": queue, "body": body,
                      "event_type": body.get("type") if isinstance(body, dict) else None,
                      "reason": reason, "error": error, "attempts": attempts,
                      "status": PARKED_STATUS, "parked_at": utc_now()}},
            upsert=True)
        return dead_letter_id

    def pseudonymise(self, identifier, pseudonym):
        """Replace an erased learner's id in the bodies of parked events."""
        return replace_everywhere(self.dead_letters, "body", identifier, pseudonym)

    def parked_count(self):
        return self.dead_letters.count_documents({"status": PARKED_STATUS})

    def list(self, status=PARKED_STATUS, limit=50, offset=0):
        query = {"status": status} if status else {}
        return page(self.dead_letters, query, [("parked_at", -1)], limit, offset)

    def get(self, dead_letter_id):
        return self.dead_letters.find_one({"_id": dead_letter_id})

    def mark_redriven(self, dead_letter_id):
        self.dead_letters.update_one({"_id": dead_letter_id, "status": PARKED_STATUS},
                                     {"$set": {"status": REDRIVEN_STATUS, "redriven_at": utc_now()}})


class Recorder:
    """What consumption reports to metrics; the nameko shell plugs Prometheus in here."""

    def consumed(self, handler, event_type, outcome):
        pass

    def lag(self, event_type, seconds):
        pass


def consume(ledger, handler, queue, body, apply, attempts=3, backoff_seconds=0.5,
            sleep=time.sleep, recorder=Recorder(), outage_wait_seconds=60):
    """Apply one delivered event at most once; returns APPLIED, DUPLICATE or PARKED."""
    try:
        envelope, data = read_envelope(body)
    except InvalidEvent as exc:
        log.error("parking invalid event for %s: %s", handler, exc)
        ledger.park(handler, queue, body, "invalid", str(exc), attempts=0)
        recorder.consumed(handler, body.get("type", "unknown") if isinstance(body, dict) else "unknown", PARKED)
        return PARKED

    event_type = envelope["type"]
    logs.event_id.set(envelope["id"])
    if envelope.get("correlationid"):
        logs.correlation_id.set(envelope["correlationid"])
    recorder.lag(event_type, (utc_now() - event_time(envelope)).total_seconds())

    # The ledger is read and written inside the retries too. While the store is unreachable
    # the event waits (up to outage_wait_seconds, then goes back to the broker) and uses up no
    # attempt: an outage parks nothing.
    attempt, outages, waited = 1, 0, 0.0
    while True:
        try:
            if ledger.was_applied(handler, envelope["id"]):
                log.info("skipping %s %s: already applied", event_type, envelope["id"])
                recorder.consumed(handler, event_type, DUPLICATE)
                return DUPLICATE
            apply(envelope, data)
            ledger.mark_applied(handler, envelope)
        except ConnectionFailure as exc:
            if waited >= outage_wait_seconds:
                raise
            pause = min(max(backoff_seconds, 0.1) * 2 ** outages, 5.0)
            log.warning("%s waits for the store (%r)", handler, exc)
            sleep(pause)
            outages, waited = outages + 1, waited + pause
            continue
        except Exception as exc:  # any other failure may be transient: retry, then park
            if attempt < attempts:
                log.warning("%s failed on %s (attempt %d of %d): %r", handler, event_type,
                            attempt, attempts, exc)
                recorder.consumed(handler, event_type, "retried")
                sleep(backoff_seconds * 2 ** (attempt - 1))
                attempt += 1
                continue
            # If the store is still down, parking fails too and the broker gets the message back.
            log.error("parking %s for %s after %d attempts: %r", event_type, handler, attempts, exc)
            ledger.park(handler, queue, body, "handler_failed", repr(exc), attempts)
            recorder.consumed(handler, event_type, PARKED)
            return PARKED
        recorder.consumed(handler, event_type, APPLIED)
        return APPLIED
