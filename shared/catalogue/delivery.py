"""Events on delivery.events.

Learners are named by `learner_id`: their sign-in subject, the same id in every service and
event. Events carry ids and the facts consumers need (course, time, place, trainers), never
names or contact details: those stay in the archive.
"""
from marshmallow import Schema, fields, validate

from shared.catalogue.vocabulary import ATTENDANCE, FORMATS
from shared.events import define


class SessionScheduledData(Schema):
    session_id = fields.String(required=True)
    plan_id = fields.String(load_default=None, allow_none=True)
    item_id = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True)
    format = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True)
    # Added compatibly with the delivery domain:
    timezone = fields.String(load_default=None, allow_none=True)  # IANA name the session is planned in
    online_url = fields.String(load_default=None, allow_none=True)
    room_id = fields.String(load_default=None, allow_none=True)
    trainer_ids = fields.List(fields.String(), load_default=list)
    equipment_ids = fields.List(fields.String(), load_default=list)
    topics = fields.List(fields.String(), load_default=list)
    tier = fields.String(load_default=None, allow_none=True)  # content tier the trainer must be qualified for
    min_participants = fields.Integer(load_default=None, allow_none=True)


class SessionRescheduledData(Schema):
    session_id = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    previous_starts_at = fields.DateTime(required=True)
    previous_ends_at = fields.DateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    online_url = fields.String(load_default=None, allow_none=True)
    room_id = fields.String(load_default=None, allow_none=True)
    trainer_ids = fields.List(fields.String(), load_default=list)
    equipment_ids = fields.List(fields.String(), load_default=list)
    tier = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True)
    reason = fields.String(required=True)
    sequence = fields.Integer(required=True)  # the session's change number, as in its calendar invitation
    rescheduled_at = fields.DateTime(required=True)


class SessionCancelledData(Schema):
    session_id = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    reason = fields.String(required=True)
    learner_ids = fields.List(fields.String(), required=True)  # whose enrolments ended with it
    cancelled_at = fields.DateTime(required=True)


class LearnerEnrolledData(Schema):
    enrollment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    title = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    trainer_ids = fields.List(fields.String(), load_default=list)
    plan_id = fields.String(load_default=None, allow_none=True)
    from_waiting_list = fields.Boolean(required=True)
    enrolled_at = fields.DateTime(required=True)


class EnrollmentCancelledData(Schema):
    enrollment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    reason = fields.String(required=True)
    cancelled_at = fields.DateTime(required=True)


class AttendanceRecordedData(Schema):
    session_id = fields.String(required=True)
    learner_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE))
    participation_score = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))
    recorded_at = fields.DateTime(required=True)


class AttendeeData(Schema):
    learner_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE))
    participation_score = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 100))


class SessionCompletedData(Schema):
    session_id = fields.String(required=True)
    plan_id = fields.String(load_default=None, allow_none=True)
    item_id = fields.String(load_default=None, allow_none=True)
    title = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    topics = fields.List(fields.String(), load_default=list)
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    venue = fields.String(load_default=None, allow_none=True)
    room_id = fields.String(load_default=None, allow_none=True)
    trainer_ids = fields.List(fields.String(), required=True)
    equipment_ids = fields.List(fields.String(), load_default=list)
    attendance = fields.List(fields.Nested(AttendeeData), required=True)  # every enrolled learner
    completed_at = fields.DateTime(required=True)


SESSION_SCHEDULED = define("delivery", "SessionScheduled", 1, SessionScheduledData,
                           "A training session was put on the calendar (from a published plan or by hand).")
SESSION_RESCHEDULED = define("delivery", "SessionRescheduled", 1, SessionRescheduledData,
                             "A session moved to another time, place or trainer; enrolled learners keep their seats.")
SESSION_CANCELLED = define("delivery", "SessionCancelled", 1, SessionCancelledData,
                           "A session was cancelled; its enrolments ended with it.")
LEARNER_ENROLLED = define("delivery", "LearnerEnrolled", 1, LearnerEnrolledData,
                          "A learner got a seat in a session (directly, or promoted from the waiting list).")
ENROLLMENT_CANCELLED = define("delivery", "EnrollmentCancelled", 1, EnrollmentCancelledData,
                              "A learner's seat in a session was given up.")
ATTENDANCE_RECORDED = define("delivery", "AttendanceRecorded", 1, AttendanceRecordedData,
                             "A learner's attendance (present, late, absent, excused) was recorded or corrected.")
SESSION_COMPLETED = define("delivery", "SessionCompleted", 1, SessionCompletedData,
                           "A session took place and was closed with every enrolled learner's attendance and "
                           "participation; assessment, feedback, archive and resources follow up.")
