"""Resources' collections and indexes."""
TRAINERS = "trainers"
MATERIALS = "materials"
COPIES = "material_copies"
# GridFS bucket of material files (collections material_files.files and material_files.chunks).
FILE_BUCKET = "material_files"
EQUIPMENT = "equipment"
ROOMS = "rooms"
BOOKINGS = "bookings"
# One document per bookable resource ("trainer:<id>", "room:<id>", "equipment:<id>") holding the
# time intervals it is booked for: the document that makes "never booked twice" one conditional write.
CALENDARS = "calendars"
# What the trainer scorecards are computed from: one document per fact, keyed by its natural id.
TRAINER_ACTIVITY = "trainer_activity"
OUTBOX_COLLECTIONS = (MATERIALS, EQUIPMENT, TRAINERS, BOOKINGS)


def ensure_indexes(db):
    db[TRAINERS].create_index([("email", 1)], unique=True)
    db[TRAINERS].create_index([("status", 1), ("name", 1)])
    # A published number (MAT-<year>-<nnnn>) is never handed out twice; drafts have none yet (the
    # field is absent: the embedded store ignores partial filters but honours sparse indexes).
    db[MATERIALS].create_index([("number", 1)], unique=True, sparse=True)
    db[MATERIALS].create_index([("status", 1), ("category", 1)])
    db[MATERIALS].create_index([("topic_keys", 1)])
    db[COPIES].create_index([("material_id", 1), ("label", 1)], unique=True)
    db[COPIES].create_index([("loan.due_on", 1)])
    db[EQUIPMENT].create_index([("asset_tag", 1)], unique=True)
    db[EQUIPMENT].create_index([("status", 1), ("type", 1)])
    db[ROOMS].create_index([("site", 1), ("name", 1)], unique=True)
    db[BOOKINGS].create_index([("starts_at", 1)])
    db[BOOKINGS].create_index([("trainer_ids", 1)])
    db[CALENDARS].create_index([("entries.session_id", 1)])
    db[TRAINER_ACTIVITY].create_index([("trainer_ids", 1), ("at", 1)])
    db[TRAINER_ACTIVITY].create_index([("session_id", 1)])
