"""Supervisors and peers answering a learner's follow-up survey (Kirkpatrick level 3).

They have no account on the platform, so they answer through a one-time link: the learner (or
staff) names them with an email address, the timer round emails each a link carrying a random
token once the follow-up is open, and the link's token lets its holder read the questions and
answer once. Only the token's SHA-256 is stored, so the store cannot hand out working links;
a message re-sent after a crash carries a new token and the old one stops working.

    pending → answered
"""
import hashlib
import secrets

from shared.errors import Conflict, InvalidInput, NotFound
from shared.notifications import EMAIL, Message
from shared.store import new_id, page
from shared.transitions import StateMachine

from services.feedback import scoring
from services.feedback.messages import deliver_once
from services.feedback.responses import Claim, insert_response
from services.feedback.standard import FOLLOW_UP
from services.feedback.store import INVITATIONS, SURVEYS
from services.feedback.surveys import (LEARNER, get_survey, managed_survey, require_answerable, require_staff_view,
                                       visible_survey)

INVITATION_STATES = StateMachine(INVITATIONS, "invitation", {"answer": (("pending",), "answered")})


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def nominate(db, survey_id, request, actor, now):
    """A learner names their own supervisor or peer; staff name them for any attendee."""
    if set(actor["roles"]) == {LEARNER}:
        survey, learner_id = visible_survey(db, survey_id, actor), actor["id"]
    else:
        survey, learner_id = managed_survey(db, survey_id, actor), request["learner_id"]
    if survey["kind"] != FOLLOW_UP:
        raise Conflict("supervisors and peers are invited to follow-up surveys only",
                       {"survey_id": survey_id, "kind": survey["kind"]})
    if survey["status"] == "closed":
        raise Conflict(f"survey {survey_id} is closed", {"status": "closed", "survey_id": survey_id})
    if learner_id not in survey["attendees"]:
        raise InvalidInput("name an attendee of the session", {"fields": {"learner_id": ["not an attendee"]}})
    invitation = {"_id": new_id("invitation"), "survey_id": survey_id, "learner_id": learner_id,
                  "relation": request["relation"], "name": request["name"], "email": request["email"],
                  "status": "pending", "token_hash": None, "about": None, "delivery": None,
                  "created_by": actor["id"], "created_at": now, "answered_at": None}
    db[INVITATIONS].insert_one(invitation)
    return invitation


def list_invitations(db, survey_id, actor, limit=20, offset=0):
    if set(actor["roles"]) == {LEARNER}:
        visible_survey(db, survey_id, actor)
        query = {"survey_id": survey_id, "learner_id": actor["id"]}
    else:
        require_staff_view(db, survey_id, actor)
        query = {"survey_id": survey_id}
    return page(db[INVITATIONS], query, [("created_at", 1), ("_id", 1)], limit, offset)


def send_due(db, notifier, contacts, rules, now):
    """Email the pending invitations of open follow-ups their link; returns how many were tried."""
    open_follow_ups = {survey["_id"]: survey for survey in db[SURVEYS].find(
        {"kind": FOLLOW_UP, "status": "open", "closes_at": {"$gt": now}})}
    tried = 0
    if not open_follow_ups:
        return tried
    for invitation in db[INVITATIONS].find({"status": "pending", "survey_id": {"$in": list(open_follow_ups)}}):
        survey = open_follow_ups[invitation["survey_id"]]

        def send(invitation=invitation, survey=survey):
            token = secrets.token_urlsafe(24)
            contact = next(iter(contacts([invitation["learner_id"]])), {})
            db[INVITATIONS].update_one({"_id": invitation["_id"]},
                                       {"$set": {"token_hash": token_hash(token), "about": contact.get("name")}})
            return notifier.send(EMAIL, invitation_message(invitation, survey, contact.get("name"), token, rules))

        if deliver_once(db[INVITATIONS], invitation["_id"], "delivery", invitation["delivery"], send, now):
            tried += 1
    return tried


def invitation_message(invitation, survey, learner_name, token, rules):
    about = learner_name or "your colleague"
    role = "their supervisor" if invitation["relation"] == "supervisor" else "a colleague of theirs"
    text = (f"Dear {invitation['name']},\n\n{about} took part in \"{survey['title']}\". As {role}, would you "
            f"tell us how they apply it at work? It takes a few minutes.\n\n"
            f"Your personal link (it works once, until {survey['closes_at']:%Y-%m-%d}):\n"
            f"{rules.public_url}/api/v1/surveys/invitations/{token}\n")
    return Message(subject=f"How is {about} applying their training?", text=text,
                   recipients={EMAIL: [invitation["email"]]}, reference=invitation["_id"], id=invitation["_id"])


def invitation_for(db, token):
    """The invitation of a link that may still be answered: pending, or with an answer under way
    (which the next answer may take over if a crash cut it short)."""
    invitation = db[INVITATIONS].find_one({"token_hash": token_hash(token)}) if token else None
    if invitation is None:
        raise NotFound("this link is not valid (it may have been replaced by a newer one)")
    if invitation["status"] != "pending" and not invitation.get("pending"):
        raise Conflict("this link has been used already", {"status": invitation["status"]})
    return invitation


def form(db, token, now):
    """What the link's holder sees: the questions and whom they are about."""
    invitation = invitation_for(db, token)
    survey = require_answerable(get_survey(db, invitation["survey_id"]), now)
    return {"survey_id": survey["_id"], "title": survey["title"], "relation": invitation["relation"],
            "about": invitation["about"], "questionnaire": survey["questionnaire"], "closes_at": survey["closes_at"]}


def answer(db, token, request, new_event, now):
    """The link's holder answers, once: the invitation is used up before the response is written
    (an answer cut short by a crash is given back, see responses.Claim)."""
    invitation = invitation_for(db, token)
    survey = require_answerable(get_survey(db, invitation["survey_id"]), now)
    answers = scoring.checked_answers(survey["questionnaire"], request["answers"])
    return insert_response(db, survey, answers, respondent=invitation["relation"],
                           learner_id=invitation["learner_id"], channel="invitation", new_event=new_event, now=now,
                           claim=InvitationClaim(db, invitation["_id"], now, invitation))


class InvitationClaim(Claim):
    """A supervisor's or peer's one answer: the invitation itself, used up by a guarded write."""
    COLLECTION = INVITATIONS

    def __init__(self, db, entry_id, now, invitation=None):
        super().__init__(db, entry_id, now)
        self.invitation = invitation

    def take(self, response_id):
        if self.invitation["status"] == "pending":
            INVITATION_STATES.apply(self.db, self.invitation, "answer",
                                    changes={"answered_at": self.now, "pending": response_id, "claimed_at": self.now},
                                    guard={"token_hash": self.invitation["token_hash"]}, now=self.now)
        elif not self.take_over(self.invitation, response_id):
            raise Conflict("this link has been used already", {"status": self.invitation["status"]})

    def give_back(self, response_id):
        self.collection.update_one({"_id": self.entry_id, "pending": response_id},
                                   {"$set": {"status": "pending", "answered_at": None},
                                    "$unset": {"pending": "", "claimed_at": ""}})


def resolve_stale_claims(db, now):
    InvitationClaim.resolve_stale(db, now)
