"""Views across services: a dashboard per role, a learner's overview, a session's overview.

One request fetches every part concurrently (gateway.aggregate); a service that is down or slow
leaves its parts out and is named in `unavailable`.
"""
from datetime import datetime, timedelta, timezone

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from shared.identity import is_staff

from gateway.aggregate import Part, gather
from gateway.auth import any_role, staff_only
from gateway.resources import SERVICES

blp = Blueprint("overviews", __name__, description=(
    "Views across services in one request, fetched concurrently within VIEW_BUDGET_SECONDS (default 2). "
    "Each part is what the caller may see; a service that is down or slow does not fail the view: its "
    "parts are left out and it is listed in `unavailable`."))

PAGE = {"limit": 10}
UPCOMING_DAYS = 14
EXPIRY_WINDOW_DAYS = 60


class ViewSchema(Schema):
    parts = fields.Dict(keys=fields.String(), values=fields.Raw(),
                        metadata={"description": "Each part of the view by name, as its service answers it."})
    unavailable = fields.List(fields.String(), metadata={"description": "Services that did not answer in time."})
    generated_at = fields.DateTime()


def view(parts):
    answers, unavailable = gather(parts)
    return {"parts": answers, "unavailable": unavailable, "generated_at": datetime.now(timezone.utc).isoformat()}


def has(*roles):
    return bool(set(g.actor["roles"]) & (set(roles) | {"admin"}))


def dashboard_parts():
    now = datetime.now(timezone.utc)
    upcoming = {"starts_after": now.isoformat(), "starts_before": (now + timedelta(days=UPCOMING_DAYS)).isoformat(),
                "limit": 10}
    parts = []
    if is_staff(g.actor):
        parts += [Part("upcoming_sessions", "delivery", "list_sessions",
                       (dict(upcoming, **({"trainer_id": g.actor["id"]} if g.actor["roles"] == ["trainer"] else {})),)),
                  Part("sessions_at_risk", "delivery", "list_sessions", ({"at_risk": True, **PAGE},)),
                  Part("expiring_certificates", "assessment", "list_certificates",
                       ({"expiring_within_days": EXPIRY_WINDOW_DAYS, **PAGE},)),
                  Part("open_remediations", "assessment", "list_remediations", ({"status": "open", **PAGE},)),
                  Part("latest_surveys", "feedback", "list_surveys", ({"status": "closed", "limit": 5},))]
    if has("manager", "supervisor", "specialist", "auditor"):
        parts.append(Part("plans_awaiting_approval", "planning", "list_plans", ({"status": "submitted", **PAGE},)))
    if has("trainer", "specialist", "supervisor"):
        parts.append(Part("grading_backlog", "assessment", "grading_queue", (PAGE,)))
    if has("supervisor", "specialist", "manager", "auditor"):
        parts.append(Part("resource_conflicts", "resources", "list_bookings", ({"status": "conflict", **PAGE},)))
    if has("supervisor"):
        parts += [Part(f"dead_letters:{service}", service, "list_dead_letters", ({"limit": 1},)) for service in SERVICES]
    if "learner" in g.actor["roles"]:
        parts += [Part("my_enrolments", "delivery", "learner_enrolments", (PAGE,)),
                  Part("my_exams", "assessment", "list_exams", ({"status": "published", **PAGE},)),
                  Part("my_certificates", "assessment", "list_certificates", ({"learner_id": g.actor["id"], **PAGE},)),
                  Part("my_remediations", "assessment", "list_remediations", ({"status": "open", **PAGE},))]
    return parts


@blp.route("/dashboard")
class Dashboard(MethodView):
    @any_role
    @blp.alt_response(200, schema=ViewSchema, success=True)
    def get(self):
        """What needs attention, by role.

        Staff: upcoming sessions (a trainer's own) with readiness and go/no-go, sessions at risk,
        expiring certificates, open remediation, the latest closed surveys; managers, supervisors,
        specialists and auditors: plans awaiting approval and resource conflicts; graders: the
        grading backlog; supervisors: dead-lettered events per service (their `total`). Learners:
        their enrolments, exams open to them, certificates and remediation."""
        view_answer = view(dashboard_parts())
        parts = view_answer["parts"]
        dead = {name.split(":", 1)[1]: parts.pop(name)["total"] for name in list(parts) if name.startswith("dead_letters:")}
        if dead:
            parts["dead_letters"] = dead
        return view_answer


@blp.route("/learners/<learner_id>/overview")
class LearnerOverview(MethodView):
    @any_role
    @blp.alt_response(200, schema=ViewSchema, success=True)
    def get(self, learner_id):
        """A learner's archive with their enrolments, certificates and open remediation.

        Learners see only their own; trainers the learners of their sessions; each service decides
        and leaves out what the caller may not see (an empty `parts` then)."""
        return view([
            Part("archive", "archive", "get_archive", (learner_id, {"reason": "overview"})),
            Part("enrolments", "delivery", "learner_enrolments", ({"learner_id": learner_id, **PAGE},)),
            Part("certificates", "assessment", "list_certificates", ({"learner_id": learner_id, **PAGE},)),
            Part("remediations", "assessment", "list_remediations", ({"learner_id": learner_id, **PAGE},)),
        ])


@blp.route("/sessions/<session_id>/overview")
class SessionOverview(MethodView):
    @staff_only
    @blp.alt_response(200, schema=ViewSchema, success=True)
    def get(self, session_id):
        """A session with its checklist, bookings, enrolment and attendance, results summary and
        feedback surveys."""
        return view([
            Part("session", "delivery", "get_session", (session_id,)),
            Part("checklist", "delivery", "get_checklist", (session_id,)),
            Part("enrolments", "delivery", "list_enrolments", (session_id, {"limit": 100})),
            Part("attendance", "delivery", "list_attendance", (session_id, {"limit": 100})),
            Part("booking", "resources", "get_booking", (session_id,)),
            Part("results", "assessment", "session_report", (session_id,)),
            Part("surveys", "feedback", "list_surveys", ({"session_id": session_id, **PAGE},)),
        ])
