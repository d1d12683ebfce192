"""Resources' collections and indexes."""
TRAINERS = "trainers"
MATERIALS = "materials"
RESERVATIONS = "reservations"
OUTBOX_COLLECTIONS = (MATERIALS,)


def ensure_indexes(db):
    db[TRAINERS].create_index([("email", 1)], unique=True)
    db[TRAINERS].create_index([("topics", 1)])
    # (year, sequence) of the catalogue number: unique, so no number is ever handed out twice.
    db[MATERIALS].create_index([("year", 1), ("sequence", -1)], unique=True)
    db[MATERIALS].create_index([("status", 1), ("category", 1)])
    db[RESERVATIONS].create_index([("starts_at", 1)])
