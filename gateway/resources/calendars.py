"""Calendar feeds (iCalendar) of trainers and learners (delivery service)."""
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from gateway.auth import any_role
from gateway.resources import call

blp = Blueprint("calendars", __name__, description=(
    "Subscribable .ics feeds: one VEVENT per session with a stable UID and the session's SEQUENCE; "
    "cancelled sessions (or seats) stay in, STATUS:CANCELLED."))

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
