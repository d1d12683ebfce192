"""The learner registry: who each learner is, with personal fields sealed under their own key.

A learner's document is keyed by a keyed hash of their sign-in subject (`learner_key`), not the
subject itself, so that after erasure it stays behind as a tombstone that names no one: late
events about the learner are recognised and dropped, and the anonymous statistics keep the
learner's company, department, user type and industry under that pseudonym.

    active ──update──▶ active
       └────erase───▶ erased   (erasure.py)
"""
import csv
import io

from marshmallow import EXCLUDE, ValidationError
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.errors import Conflict, InvalidInput, NotFound
from shared.store import page
from shared.transitions import StateMachine

from services.archive.contract import LearnerCreateSchema
from services.archive.store import LEARNERS

PERSONAL = ("first_name", "last_name", "email", "phone", "language")
ATTRIBUTES = ("organisation", "department", "user_type", "industry")
MAX_IMPORT_ROWS = 5000

TRANSITIONS = {"update": (("active",), "active"), "erase": (("active",), "erased")}
LEARNER_STATES = StateMachine(LEARNERS, "learner", TRANSITIONS)


def learner_key(keyring, learner_id):
    """The registry's id for a learner, and their pseudonym once erased."""
    return "lrn-" + keyring.blind("learner", learner_id, normalise=False)[:32]


def lookups(keyring, personal):
    return {"email": keyring.blind("email", personal["email"]),
            "name": keyring.blind("name", f"{personal['first_name']} {personal['last_name']}")}


def new_learner(keyring, details, actor, now, new_event):
    """The registry document of a new learner, with LearnerRegistered.v1 in its outbox."""
    learner_id = details["learner_id"]
    wrapped_key = keyring.new_wrapped_key()
    personal = {field: details.get(field) for field in PERSONAL}
    attributes = {field: details.get(field) for field in ATTRIBUTES}
    # The event carries no personal data: consumers that must contact the learner ask the archive.
    event = new_event("LearnerRegistered.v1", learner_id, dict(attributes, learner_id=learner_id, registered_at=now))
    return dict(attributes, _id=learner_key(keyring, learner_id), learner_id=learner_id, status="active",
                data_key=wrapped_key, personal=keyring.seal(wrapped_key, personal),
                lookup=lookups(keyring, personal), version=1, registered_at=now, registered_by=actor["id"],
                updated_at=now, outbox=[event])


def register_learner(db, keyring, details, actor, now, new_event):
    doc = new_learner(keyring, details, actor, now, new_event)
    try:
        db[LEARNERS].insert_one(doc)
    except DuplicateKeyError:
        raise duplicate(db, doc) from None
    return view(keyring, doc)


def duplicate(db, doc):
    existing = db[LEARNERS].find_one({"_id": doc["_id"]}, {"status": 1})
    if existing and existing["status"] == "erased":
        return Conflict("this learner id belongs to an erased archive and cannot be registered again",
                        {"status": "erased"})
    if existing:
        return Conflict("a learner with this id is already registered", {"learner_id": doc["learner_id"]})
    return Conflict("a learner with this email is already registered", {"field": "email"})


def import_learners(db, keyring, csv_text, actor, now, new_event):
    """Register every row of a CSV, or none: each bad row is reported with its field messages."""
    rows, errors = parse_rows(csv_text)
    docs = [new_learner(keyring, details, actor, now, new_event) for details in rows.values()]
    seen_ids, seen_emails = {}, {}
    for (number, details), doc in zip(rows.items(), docs):
        for seen, value, field in ((seen_ids, doc["_id"], "learner_id"), (seen_emails, doc["lookup"]["email"], "email")):
            if value in seen:
                errors.setdefault(number, {})[field] = [f"the same as row {seen[value]}"]
            seen.setdefault(value, number)
    taken = db[LEARNERS].find({"$or": [{"_id": {"$in": list(seen_ids)}}, {"lookup.email": {"$in": list(seen_emails)}}]},
                              {"lookup.email": 1})
    for doc in taken:
        if doc["_id"] in seen_ids:
            errors.setdefault(seen_ids[doc["_id"]], {})["learner_id"] = ["already registered"]
        email = (doc.get("lookup") or {}).get("email")
        if email in seen_emails:
            errors.setdefault(seen_emails[email], {})["email"] = ["already registered"]
    if errors:
        raise InvalidInput(f"{len(errors)} row(s) are invalid; nothing was imported", {"rows": errors})
    try:
        db[LEARNERS].insert_many(docs, ordered=True)
    except BulkWriteError:
        # Someone registered one of these learners meanwhile: take back what this import wrote.
        db[LEARNERS].delete_many({"_id": {"$in": [doc["_id"] for doc in docs]}, "registered_at": now,
                                  "registered_by": actor["id"], "version": 1})
        raise Conflict("a learner in the file was registered by someone else meanwhile; nothing was imported",
                       {}) from None
    return [doc["learner_id"] for doc in docs]


def parse_rows(csv_text):
    """({row number (the header is row 1): learner details}, {row number: field messages})."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    reader.fieldnames = [(name or "").strip().lower().replace(" ", "_") for name in reader.fieldnames or []]
    missing = [field for field, schema_field in LearnerCreateSchema().fields.items()
               if schema_field.required and field not in reader.fieldnames]
    if missing:
        raise InvalidInput("the CSV's header row lacks required columns", {"missing_columns": missing})
    rows, errors = {}, {}
    for raw in reader:
        number = str(reader.line_num)
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            raise InvalidInput(f"the CSV has more than {MAX_IMPORT_ROWS} rows; split it", {"max_rows": MAX_IMPORT_ROWS})
        if None in raw:
            errors[number] = {"_row": ["more values than columns"]}
            continue
        values = {key: value.strip() for key, value in raw.items() if key and value and value.strip()}
        if not values:
            continue
        try:
            rows[number] = LearnerCreateSchema(unknown=EXCLUDE).load(values)
        except ValidationError as exc:
            errors[number] = exc.messages
    if not rows and not errors:
        raise InvalidInput("the CSV has no learners", {"rows": {}})
    return rows, errors


def find_learner(db, keyring, learner_id):
    """The registry document of an active learner, or None."""
    return db[LEARNERS].find_one({"_id": learner_key(keyring, learner_id), "status": "active"})


def get_learner(db, keyring, learner_id):
    doc = find_learner(db, keyring, learner_id)
    if doc is None:
        raise NotFound(f"learner {learner_id} is not registered", {"learner_id": learner_id})
    return view(keyring, doc)


def update_learner(db, keyring, learner_id, changes, actor, now, attempts=5):
    """Change some of a learner's details. The sealed fields are rewritten whole, so each write is
    guarded by the version it was computed from; a concurrent change makes it read and try again,
    and no change is lost. Conflict if the learner was erased or the email is someone else's."""
    for _ in range(attempts):
        doc = find_learner(db, keyring, learner_id)
        if doc is None:
            raise NotFound(f"learner {learner_id} is not registered", {"learner_id": learner_id})
        personal = dict(keyring.unseal(doc["data_key"], doc["personal"]),
                        **{field: value for field, value in changes.items() if field in PERSONAL})
        updates = {field: value for field, value in changes.items() if field in ATTRIBUTES}
        updates.update(personal=keyring.seal(doc["data_key"], personal), lookup=lookups(keyring, personal),
                       version=doc["version"] + 1)
        try:
            updated = LEARNER_STATES.apply(db, doc, "update", changes=updates, guard={"version": doc["version"]},
                                           now=now)
        except DuplicateKeyError:
            raise Conflict("a learner with this email is already registered", {"field": "email"}) from None
        except Conflict:
            continue  # changed (or erased) meanwhile: read again
        return view(keyring, updated)
    raise Conflict("the learner is being changed by others; try again", {"learner_id": learner_id})


def list_learners(db, keyring, organisation=None, department=None, user_type=None, industry=None, email=None,
                  name=None, limit=20, offset=0):
    query = {"status": "active", **{key: value for key, value in (
        ("organisation", organisation), ("department", department), ("user_type", user_type),
        ("industry", industry)) if value is not None}}
    if email:
        query["lookup.email"] = keyring.blind("email", email)
    if name:
        query["lookup.name"] = keyring.blind("name", name)
    total, docs = page(db[LEARNERS], query, [("registered_at", -1), ("_id", 1)], limit, offset)
    return total, [view(keyring, doc) for doc in docs]


def learner_ids_where(db, keyring, **attributes):
    """Ids of active learners matching the given attributes (None: no filter), or None if none given."""
    query = {key: value for key, value in attributes.items() if value is not None and key in ATTRIBUTES}
    if attributes.get("email"):
        query["lookup.email"] = keyring.blind("email", attributes["email"])
    if attributes.get("name"):
        query["lookup.name"] = keyring.blind("name", attributes["name"])
    if not query:
        return None
    return [doc["learner_id"] for doc in db[LEARNERS].find(dict(query, status="active"), {"learner_id": 1})]


def attributes_by_learner(db, learner_ids=None):
    """{learner id or, once erased, pseudonym: company, department, user type, industry}."""
    query = {} if learner_ids is None else {"$or": [{"learner_id": {"$in": list(learner_ids)}},
                                                    {"_id": {"$in": list(learner_ids)}}]}
    return {doc.get("learner_id") or doc["_id"]: {field: doc.get(field) for field in ATTRIBUTES}
            for doc in db[LEARNERS].find(query, {field: 1 for field in ("learner_id",) + ATTRIBUTES})}


def contacts(db, keyring, learner_ids):
    """How to reach the active learners among `learner_ids`; others are left out."""
    keys = [learner_key(keyring, learner_id) for learner_id in learner_ids]
    found = []
    for doc in db[LEARNERS].find({"_id": {"$in": keys}, "status": "active"}):
        learner = view(keyring, doc)
        found.append({"learner_id": learner["learner_id"], "name": f"{learner['first_name']} {learner['last_name']}",
                      "email": learner["email"], "phone": learner["phone"], "language": learner["language"]})
    return found


def view(keyring, doc):
    """The registry entry as readers see it: personal fields unsealed."""
    personal = keyring.unseal(doc["data_key"], doc["personal"])
    return dict({field: doc.get(field) for field in ATTRIBUTES}, **personal, learner_id=doc["learner_id"],
                status=doc["status"], registered_at=doc["registered_at"], registered_by=doc["registered_by"],
                updated_at=doc["updated_at"])
