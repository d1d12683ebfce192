"""Calendar feeds (iCalendar) of trainers and learners, and secret links to one's own feed for
calendar programs, which cannot send a token (delivery service)."""
from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from services.delivery.contract import CalendarLinkRequestSchema

from gateway.auth import any_role
from gateway.resources import call

blp = Blueprint("calendars", __name__, description=(
    "Subscribable .ics feeds: one VEVENT per session with a stable UID and the session's SEQUENCE; "
    "cancelled sessions (or seats) stay in, STATUS:CANCELLED. Calendar programs subscribe through a secret "
    "link to one's own feed (POST /calendars/links), since they cannot send a token."))

ICS = {"type": "string", "example": "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n...\r\nEND:VCALENDAR\r\n"}


def ics(text):
    return Response(text, mimetype="text/calendar")


@blp.route("/calendars/trainers/<trainer_id>.ics")
class TrainerCalendar(MethodView):
    @any_role
    @blp.alt_response(200, success=True, content_type="text/calendar", schema=ICS)
    def get(self, trainer_id):
        """Every session a trainer teaches (staff only)."""
        return ics(call("delivery", "trainer_calendar", trainer_id))


@blp.route("/calendars/learners/<learner_id>.ics")
class LearnerCalendar(MethodView):
    @any_role
    @blp.alt_response(200, success=True, content_type="text/calendar", schema=ICS)
    def get(self, learner_id):
        """The sessions a learner holds a seat in; learners read only their own."""
        return ics(call("delivery", "learner_calendar", learner_id))


class CalendarLinkCreatedSchema(Schema):
    kind = fields.String()
    url = fields.String(metadata={"description": "The feed's secret address, shown once: subscribe to it in a "
                                                 "calendar program. A new link, or revoking it, ends this one."})
    issued_at = fields.DateTime()


@blp.route("/calendars/links")
class CalendarLinks(MethodView):
    @any_role
    @blp.arguments(CalendarLinkRequestSchema)
    @blp.alt_response(201, schema=CalendarLinkCreatedSchema, success=True)
    def post(self, request):
        """A secret link to your own feed (learners: your seats; trainers: what you teach); it
        replaces your previous link of that kind."""
        link = call("delivery", "issue_calendar_link", request)
        url = url_for("calendars.CalendarByLink", key=link["key"], _external=True)
        return {"kind": link["kind"], "url": url, "issued_at": link["issued_at"]}, 201


@blp.route("/calendars/links/<kind>")
class CalendarLinkByKind(MethodView):
    @any_role
    @blp.alt_response(204, success=True)
    def delete(self, kind):
        """Revoke your secret link of this kind (learner or trainer): it stops working at once."""
        call("delivery", "revoke_calendar_link", {"kind": kind})
        return "", 204


@blp.route("/calendars/feeds/<key>.ics")
class CalendarByLink(MethodView):
    @blp.doc(security=[])
    @blp.alt_response(200, success=True, content_type="text/calendar", schema=ICS)
    def get(self, key):
        """The feed behind a secret link (no sign-in: the link is the credential)."""
        return ics(call("delivery", "calendar_by_link", key))
