"""LearnerErased.v1: what resources holds on a learner is pseudonymised.

A learner may appear as a borrower in the lending register and as the learner behind an exam
result counted in a trainer's scorecard. Both stay (loans and pass rates keep adding up) under
a pseudonym made from the erasure event: the same on a redelivery, not derivable from the
learner id, and without the borrower's name.
"""
import hashlib

from services.resources.loans import pseudonymise_borrower
from services.resources.scorecards import pseudonymise_learner


def pseudonym(erasure_event_id):
    return "erased-" + hashlib.sha256(erasure_event_id.encode()).hexdigest()[:16]


def erase_learner(db, learner_id, erasure_event_id):
    alias = pseudonym(erasure_event_id)
    pseudonymise_borrower(db, learner_id, alias)
    pseudonymise_learner(db, learner_id, alias)
    return alias
