"""The lending register of physical copies of materials: lend to a person with a due date,
take back, list what is out or overdue, keep every copy's history.

A copy is lent with one conditional update on the copy (it must be available), so it is never
lent to two people at once; the loan and, on return, its history entry live in the copy's own
document.
"""
from pymongo.errors import DuplicateKeyError

from shared.claims import SENT
from shared.errors import Conflict, InvalidInput, NotFound
from shared.store import fetch, new_id, page
from shared.transitions import StateMachine

from services.resources.contract import RETIRED
from services.resources.materials import get_material
from services.resources.store import COPIES

AVAILABLE, LENT = "available", "lent"
COPY_STATES = StateMachine(COPIES, "copy", {"lend": ((AVAILABLE,), LENT), "take_back": ((LENT,), AVAILABLE)})
LOAN_STATES = ("active", "overdue", "returned", "all")
# Enough for a department's shelves: the register is read whole and paged in Python.
REGISTER_SCAN_LIMIT = 10000


def add_copy(db, material_id, copy, actor, now):
    material = get_material(db, material_id)
    if material["status"] == RETIRED:
        raise Conflict("a retired material takes no new copies", {"status": material["status"]})
    doc = dict(copy, _id=new_id("copy"), material_id=material_id, status=AVAILABLE, loan=None, history=[],
               created_by=actor["id"], created_at=now)
    try:
        db[COPIES].insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(f"the material already has a copy labelled {copy['label']}", {"label": copy["label"]}) from None
    return doc


def get_copy(db, material_id, copy_id):
    copy = fetch(db[COPIES], copy_id, "copy")
    if copy["material_id"] != material_id:
        raise NotFound(f"material {material_id} has no copy {copy_id}", {"copy_id": copy_id})
    return copy


def list_copies(db, material_id, limit=20, offset=0):
    get_material(db, material_id)
    return page(db[COPIES], {"material_id": material_id}, [("label", 1)], limit, offset)


def lend(db, material_id, copy_id, request, actor, now):
    if request["due_on"] < now.date().isoformat():
        raise InvalidInput("the due date has passed", {"fields": {"due_on": ["must be today or later"]}})
    copy = get_copy(db, material_id, copy_id)
    if copy["status"] == LENT:
        raise Conflict(f"copy {copy['label']} is lent until {copy['loan']['due_on']}",
                       {"status": LENT, "copy_id": copy_id, "due_on": copy["loan"]["due_on"]})
    loan = dict(request, loan_id=new_id("loan"), copy_id=copy_id, material_id=material_id, lent_by=actor["id"],
                lent_at=now, returned_at=None, returned_to=None, condition=None)
    return COPY_STATES.apply(db, copy, "lend", changes={"loan": loan}, now=now)


def take_back(db, material_id, copy_id, request, actor, now):
    copy = COPY_STATES.require(get_copy(db, material_id, copy_id), "take_back")
    returned = dict(copy["loan"], returned_at=now, returned_to=actor["id"], condition=request["condition"] or None)
    return COPY_STATES.apply(db, copy, "take_back", changes={"loan": None}, push={"history": returned},
                             guard={"loan.loan_id": copy["loan"]["loan_id"]}, now=now)


def with_overdue(loan, today):
    reminded = [channels for channels in (loan.get("reminders") or {}).values()
                if any(outcome.get("status") == SENT for outcome in channels.values())]
    return dict(loan, overdue=loan["returned_at"] is None and loan["due_on"] < today, reminders_sent=len(reminded))


def list_loans(db, today, state="active", borrower_id=None, material_id=None, limit=20, offset=0):
    """Loans from the register: active (by due date), overdue, returned (latest first) or all."""
    query = {"material_id": material_id} if material_id else {}
    loans = []
    for copy in db[COPIES].find(query).limit(REGISTER_SCAN_LIMIT):
        if state in ("active", "overdue", "all") and copy["loan"]:
            loans.append(copy["loan"])
        if state in ("returned", "all"):
            loans += copy["history"]
    loans = [with_overdue(loan, today) for loan in loans if borrower_id in (None, loan["borrower_id"])]
    if state == "overdue":
        loans = [loan for loan in loans if loan["overdue"]]
    if state == "returned":
        loans.sort(key=lambda loan: (loan["returned_at"], loan["loan_id"]), reverse=True)
    else:
        loans.sort(key=lambda loan: (loan["returned_at"] is not None, loan["due_on"], loan["loan_id"]))
    return len(loans), loans[offset:offset + limit]


def pseudonymise_borrower(db, borrower_id, pseudonym):
    """Erase a borrower from the register: their loans stay, under a pseudonym and without a name."""
    erased = {"borrower_id": pseudonym, "borrower_name": None}
    db[COPIES].update_many({"loan.borrower_id": borrower_id},
                           {"$set": {f"loan.{key}": value for key, value in erased.items()}})
    for copy in db[COPIES].find({"history.borrower_id": borrower_id}, {"history": 1}):
        # The filter names the loans by id, a field the update leaves alone: the embedded store
        # evaluates array filters again for each path it sets.
        loan_ids = [loan["loan_id"] for loan in copy["history"] if loan["borrower_id"] == borrower_id]
        db[COPIES].update_one({"_id": copy["_id"]},
                              {"$set": {f"history.$[loan].{key}": value for key, value in erased.items()}},
                              array_filters=[{"loan.loan_id": {"$in": loan_ids}}])
