"""Events about one learner's training, as delivery, assessment and feedback publish them."""
import json
from datetime import datetime, timedelta, timezone

from shared.events import make_envelope

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)

# event type -> (archive handler, publishing service)
HANDLERS = {
    "LearnerEnrolled.v1": ("on_learner_enrolled", "delivery"),
    "EnrollmentCancelled.v1": ("on_enrolment_cancelled", "delivery"),
    "AttendanceRecorded.v1": ("on_attendance_recorded", "delivery"),
    "SessionCompleted.v1": ("on_session_completed", "delivery"),
    "SessionRescheduled.v1": ("on_session_rescheduled", "delivery"),
    "SessionCancelled.v1": ("on_session_cancelled", "delivery"),
    "ExamGraded.v1": ("on_exam_graded", "assessment"),
    "CertificateIssued.v1": ("on_certificate_issued", "assessment"),
    "FeedbackSubmitted.v2": ("on_feedback_submitted", "feedback"),
    "LearnerErased.v1": ("on_learner_erased", "archive"),
    "PlanApproved.v1": ("on_plan_approved", "planning"),
}


def enrolled(learner, session, at, title="Reports workshop", starts=T0, trainers=("tom",), venue="Room 1"):
    return make_envelope("LearnerEnrolled.v1", session, {
        "enrollment_id": f"enr-{learner}-{session}", "session_id": session, "learner_id": learner, "title": title,
        "format": "classroom", "starts_at": starts, "ends_at": starts + 3 * HOUR, "venue": venue,
        "trainer_ids": list(trainers), "plan_id": "plan-1", "from_waiting_list": False, "enrolled_at": at})


def enrolment_cancelled(learner, session, at):
    return make_envelope("EnrollmentCancelled.v1", session, {
        "enrollment_id": f"enr-{learner}-{session}", "session_id": session, "learner_id": learner,
        "reason": "another appointment", "cancelled_at": at})


def attendance(learner, session, status, score, at):
    return make_envelope("AttendanceRecorded.v1", session, {
        "session_id": session, "learner_id": learner, "status": status, "participation_score": score,
        "recorded_at": at})


def rescheduled(session, at, starts=T0, venue="Room 2", trainers=("tom", "tia")):
    return make_envelope("SessionRescheduled.v1", session, {
        "session_id": session, "title": "Reports workshop", "starts_at": starts, "ends_at": starts + 3 * HOUR,
        "previous_starts_at": starts - DAY, "previous_ends_at": starts - DAY + 3 * HOUR, "venue": venue,
        "trainer_ids": list(trainers), "capacity": 12, "reason": "room change", "sequence": 1,
        "rescheduled_at": at})


def completed(session, attendees, at, starts=T0, title="Reports workshop", trainers=("tom", "tia")):
    return make_envelope("SessionCompleted.v1", session, {
        "session_id": session, "plan_id": "plan-1", "title": title, "format": "classroom",
        "topics": ["Report builder"], "starts_at": starts, "ends_at": starts + 3 * HOUR, "venue": "Room 2",
        "trainer_ids": list(trainers), "attendance": [
            {"learner_id": learner, "status": status, "participation_score": 80} for learner, status in attendees],
        "completed_at": at})


def cancelled(session, learners, at):
    return make_envelope("SessionCancelled.v1", session, {
        "session_id": session, "title": "Alerts clinic", "starts_at": T0 + 30 * DAY, "reason": "trainer ill",
        "learner_ids": list(learners), "cancelled_at": at})


def graded(learner, session, score, at, exam="exam-1", title="Reports exam", pre_test=False, tag=None):
    submission = f"sub-{tag or learner}-{exam}-{pre_test}"
    return make_envelope("ExamGraded.v1", submission, {
        "submission_id": submission, "exam_id": exam, "learner_id": learner,
        "session_id": session, "score": score, "pass_score": 60, "passed": score >= 60, "weak_topics": [],
        "graded_at": at, "method": "online", "title": title, "attempt": 1, "pre_test": pre_test})


def certificate(learner, at, expires, tag=None):
    return make_envelope("CertificateIssued.v1", f"cert-{tag or learner}", {
        "certificate_id": f"cert-{tag or learner}", "number": f"RB-{tag or learner}", "learner_id": learner, "exam_id": "exam-1",
        "title": "Report builder practitioner", "topic": "Report builder", "issued_at": at, "expires_at": expires})


def feedback(learner, session, at, anonymous=False, tag=None):
    return make_envelope("FeedbackSubmitted.v2", f"resp-{tag or learner}-{anonymous}", {
        "response_id": f"resp-{tag or learner}-{anonymous}", "survey_id": "survey-1", "session_id": session,
        "respondent": "learner", "anonymous": anonymous, "learner_id": None if anonymous else learner,
        "trainer_ids": ["tom"], "section_scores": {"content": 4.5, "trainer": 5.0}, "nps": 9,
        "has_comment": True, "submitted_at": at})


def full_history(learner, tag=None):
    """A learner's complete story: enrolled, session moved, late then corrected to present,
    completed, graded (and a pre-test), certified, feedback (named and anonymous); a second
    session enrolled and then cancelled. Ids of sessions and the like end in `tag` (default:
    the learner id)."""
    tag = tag or learner
    session, other = f"s-{tag}", f"s2-{tag}"
    return [
        enrolled(learner, session, T0 - 10 * DAY),
        rescheduled(session, T0 - 5 * DAY),
        attendance(learner, session, "late", 50, T0 + HOUR),
        completed(session, [(learner, "present")], T0 + 3 * HOUR),
        attendance(learner, session, "present", 90, T0 + DAY),
        graded(learner, session, 40.0, T0 - DAY, exam="exam-0", title="Reports pre-test", pre_test=True, tag=tag),
        graded(learner, session, 82.0, T0 + 2 * DAY, tag=tag),
        certificate(learner, T0 + 2 * DAY, (T0 + 400 * DAY).date(), tag=tag),
        feedback(learner, session, T0 + DAY, tag=tag),
        feedback(learner, session, T0 + DAY, anonymous=True, tag=tag),
        enrolled(learner, other, T0 - 3 * DAY, title="Alerts clinic", starts=T0 + 30 * DAY),
        enrolment_cancelled(learner, other, T0 - DAY),
    ]


def same_shape(archive, learner):
    """The archive with the learner's own ids replaced, to compare two learners' archives."""
    return json.loads(json.dumps(archive).replace(f"-{learner}", "-X").replace(f'"{learner}"', '"X"'))
