"""Archive's collections and indexes."""
LEARNERS = "learners"  # the registry: personal fields sealed, erased learners kept as tombstones
FACTS = "facts"  # what the events said, one document per event (and learner), folded into records
RECORDS = "records"  # one learner's part in one session, folded from the facts
RESULTS = "results"  # one per exam submission
CERTIFICATES = "certificates"
FEEDBACK = "feedback"  # responses given under the learner's name
AUDIT = "audit"  # append-only: who read or changed which archive, when and why
PLAN_LOG = "plan_log"
OUTBOX_COLLECTIONS = (LEARNERS,)
# Collections whose documents name a learner by `learner_id`; erasure pseudonymises them.
HISTORY = (RECORDS, RESULTS, CERTIFICATES, FEEDBACK)


def ensure_indexes(db):
    db[LEARNERS].create_index([("organisation", 1), ("department", 1)])
    db[LEARNERS].create_index([("user_type", 1)])
    db[LEARNERS].create_index([("registered_at", -1)])
    db[LEARNERS].create_index([("lookup.email", 1)], unique=True, sparse=True)
    db[LEARNERS].create_index([("lookup.name", 1)], sparse=True)
    db[FACTS].create_index([("session_id", 1), ("learner_id", 1)])
    db[FACTS].create_index([("learner_id", 1)])
    db[FACTS].create_index([("at", 1)])
    db[RECORDS].create_index([("learner_id", 1), ("starts_at", -1)])
    db[RECORDS].create_index([("session_id", 1)])
    db[RECORDS].create_index([("trainer_ids", 1), ("starts_at", -1)])
    db[RECORDS].create_index([("starts_at", -1)])
    db[RECORDS].create_index([("title", 1)])
    for collection, moment in ((RESULTS, "graded_at"), (CERTIFICATES, "issued_at"), (FEEDBACK, "submitted_at")):
        db[collection].create_index([("learner_id", 1), (moment, -1)])
        db[collection].create_index([(moment, -1)])
    db[CERTIFICATES].create_index([("expires_at", 1)])
    db[AUDIT].create_index([("learner_id", 1), ("at", -1)])
    db[AUDIT].create_index([("actor_id", 1), ("at", -1)])
    db[AUDIT].create_index([("action", 1), ("at", -1)])
    db[AUDIT].create_index([("at", -1)])
    db[PLAN_LOG].create_index([("approved_at", -1)])


def between(field, since=None, until=None):
    """A query on `field` within [since, until]; either end may be open ({} when both are)."""
    if since is None and until is None:
        return {}
    return {field: {**({"$gte": since} if since is not None else {}), **({"$lte": until} if until is not None else {})}}
