"""Who may see and manage what. Staff see every record; a learner sees only their own. An
assessment's trainers (its author if a trainer, and its session's trainers) manage it and what
follows from it (grading, releasing, remediations); specialists and supervisors manage all."""
from shared.errors import Forbidden
from shared.identity import is_staff

MANAGE_ANY = ("supervisor", "specialist", "admin")
TRAINER = "trainer"


def require_manager(doc, actor):
    """`doc` (an assessment, or a record carrying its trainer_ids) if the caller manages it."""
    if set(actor["roles"]) & set(MANAGE_ANY) or (TRAINER in actor["roles"] and actor["id"] in doc["trainer_ids"]):
        return doc
    raise Forbidden("only the assessment's trainers, a specialist or a supervisor may do this",
                    {"trainer_ids": doc["trainer_ids"]})


def manages_all(actor):
    return bool(set(actor["roles"]) & set(MANAGE_ANY))


def own_record(doc, actor, noun):
    """`doc` if the caller is staff or the learner it belongs to."""
    if not is_staff(actor) and doc["learner_id"] != actor["id"]:
        raise Forbidden(f"a learner sees only their own {noun}s", {f"{noun}_id": doc["_id"]})
    return doc
