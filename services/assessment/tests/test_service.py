"""Interface tests of assessment through its real entrypoints, real broker and real store."""
import pytest

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

from services.assessment.service import AssessmentService
from services.assessment.store import EXAMS, SUBMISSIONS

TRAINER = {"id": "tom", "roles": ["trainer"]}
ADA = {"id": "ada.lovelace", "roles": ["learner"]}
GRACE = {"id": "grace.hopper", "roles": ["learner"]}

EXAM = {
    "title": "Platform basics: final exam", "session_id": "session-1", "pass_score": 75,
    "questions": [
        {"text": "Where are users created?", "options": ["Settings", "Reports"], "correct_option": 0,
         "topic": "users"},
        {"text": "Who resets passwords?", "options": ["Anyone", "Admins", "Nobody"], "correct_option": 1,
         "topic": "users"},
        {"text": "Which format suits spreadsheets?", "options": ["PDF", "CSV"], "correct_option": 1,
         "topic": "reports"},
        {"text": "How often can a report run?", "options": ["Hourly", "Yearly"], "correct_option": 0,
         "topic": "reports"},
    ],
}


@pytest.fixture
def container(running_service):
    return running_service(AssessmentService)


@pytest.fixture
def assessment(container):
    return container.config


@pytest.fixture
def as_(container, rpc_as):
    return lambda caller: rpc_as(container, caller)


@pytest.fixture
def db(assessment, store):
    return store(assessment, "assessment")


def published_exam(as_):
    exam = as_(TRAINER).create_exam(EXAM)
    as_(TRAINER).publish_exam(exam["id"])
    return exam


def answers_to(exam, *options):
    return {"answers": [{"question_id": question["question_id"], "option": option}
                        for question, option in zip(exam["questions"], options)]}


def test_publishing_an_exam_announces_it_and_shows_learners_no_answer_key(as_, assessment, subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment")
    exam = as_(TRAINER).create_exam(EXAM)
    assert exam["status"] == "draft"
    with pytest.raises(NotFound):
        as_(ADA).get_exam(exam["id"])  # learners do not see drafts
    assert as_(ADA).list_exams({})["total"] == 0

    as_(TRAINER).publish_exam(exam["id"])
    with pytest.raises(Conflict):
        as_(TRAINER).publish_exam(exam["id"])

    learner_view = as_(ADA).get_exam(exam["id"])
    staff_view = as_(TRAINER).get_exam(exam["id"])
    listed = as_(ADA).list_exams({"session_id": "session-1"})

    envelope = events.wait_for("ExamPublished.v1")
    assert envelope["subject"] == exam["id"]
    assert envelope["data"]["topics"] == ["users", "reports"]
    assert envelope["data"]["question_count"] == 4
    assert [sorted(question) for question in learner_view["questions"]] == [["options", "question_id", "text", "topic"]] * 4
    assert [question["correct_option"] for question in staff_view["questions"]] == [0, 1, 1, 0]
    assert listed["total"] == 1 and listed["items"][0]["question_count"] == 4


def test_answers_are_graded_and_the_grade_is_published(as_, assessment, subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment", "ExamGraded.v1")
    exam = published_exam(as_)
    # users: both right; reports: both wrong.
    result = as_(ADA).submit_answers(exam["id"], answers_to(exam, 0, 1, 0, 1))

    assert (result["score"], result["passed"], result["weak_topics"]) == (50.0, False, ["reports"])
    assert result["topics"] == [{"topic": "users", "correct": 2, "total": 2, "score": 100.0},
                                {"topic": "reports", "correct": 0, "total": 2, "score": 0.0}]
    envelope = events.wait_for("ExamGraded.v1")
    assert envelope["subject"] == result["id"]
    assert envelope["data"] == {
        "submission_id": result["id"], "exam_id": exam["id"], "learner_id": "ada.lovelace",
        "session_id": "session-1", "score": 50.0, "pass_score": 75, "passed": False,
        "weak_topics": ["reports"], "graded_at": result["graded_at"], "method": "online"}


def test_a_second_submission_is_refused_and_nothing_is_written(as_, assessment, db):
    exam = published_exam(as_)
    first = as_(ADA).submit_answers(exam["id"], answers_to(exam, 0, 1, 1, 0))
    with pytest.raises(Conflict):
        as_(ADA).submit_answers(exam["id"], answers_to(exam, 1, 0, 0, 1))
    kept = as_(ADA).get_result(exam["id"], "ada.lovelace")

    assert db[SUBMISSIONS].count_documents({}) == 1
    assert (kept["id"], kept["score"], kept["passed"]) == (first["id"], 100.0, True)


@pytest.mark.parametrize("answers", [
    lambda exam: answers_to(exam, 0, 1, 2),
    lambda exam: {"answers": [{"question_id": "question-unknown", "option": 0}]},
    lambda exam: {"answers": [{"option": 0}]},
    lambda exam: "question 3 of 4",
], ids=["option the question lacks", "question not in the exam", "no question id", "not an object"])
def test_invalid_answers_are_refused_and_nothing_is_written(as_, assessment, db, answers):
    exam = published_exam(as_)
    with pytest.raises(InvalidInput) as refused:
        as_(ADA).submit_answers(exam["id"], answers(exam))

    assert refused.value.details["fields"]
    assert db[SUBMISSIONS].count_documents({}) == 0


def test_an_unpublished_exam_takes_no_answers(as_, assessment, db):
    exam = as_(TRAINER).create_exam(EXAM)
    with pytest.raises(Conflict):
        as_(ADA).submit_answers(exam["id"], answers_to(exam, 0, 1, 1, 0))
    with pytest.raises(NotFound):
        as_(ADA).submit_answers("exam-missing", answers_to(exam, 0))

    assert db[SUBMISSIONS].count_documents({}) == 0


def test_an_exam_whose_answer_key_is_not_an_option_is_refused(as_, assessment, db):
    broken = dict(EXAM, questions=[dict(EXAM["questions"][0], correct_option=2)])
    with pytest.raises(InvalidInput) as refused:
        as_(TRAINER).create_exam(broken)

    assert "correct_option" in refused.value.details["fields"]["questions"]["0"]
    assert db[EXAMS].count_documents({}) == 0


def test_learners_read_only_their_own_result_and_staff_list_all(as_, assessment):
    exam = published_exam(as_)
    as_(ADA).submit_answers(exam["id"], answers_to(exam, 0, 1, 1, 0))
    as_(GRACE).submit_answers(exam["id"], answers_to(exam, 0, 1, 1))
    with pytest.raises(Forbidden):
        as_(GRACE).get_result(exam["id"], "ada.lovelace")
    with pytest.raises(Forbidden):
        as_(TRAINER).submit_answers(exam["id"], answers_to(exam, 0))  # online exams are taken in person
    graces = as_(TRAINER).get_result(exam["id"], "grace.hopper")
    listed = as_(TRAINER).list_submissions(exam["id"], {})

    assert (graces["score"], graces["passed"]) == (75.0, True)
    assert [item["learner_id"] for item in listed["items"]] == ["ada.lovelace", "grace.hopper"]
