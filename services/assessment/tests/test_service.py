"""Interface tests of assessment through its real entrypoints, real broker and real store."""
from datetime import date, datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_hook

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import make_envelope
from shared.testing import deliver, rpc_to, run_together, wait_until

from services.assessment import results_entry
from services.assessment.service import AssessmentService
from services.assessment.store import ATTEMPTS, CERTIFICATES, EXAMS, QUESTIONS, REMEDIATIONS

TOM = {"id": "tom", "roles": ["trainer"]}  # the session's trainer
TIA = {"id": "tia", "roles": ["trainer"]}  # another trainer
SAM = {"id": "sam", "roles": ["specialist"]}
ADA = {"id": "ada", "roles": ["learner"]}
BOB = {"id": "bob", "roles": ["learner"]}
CY = {"id": "cy", "roles": ["learner"]}
EVE = {"id": "eve", "roles": ["learner"]}  # never attended

QUESTIONS_BY_KEY = {
    "where": {"type": "single_choice", "text": "Where are users created?", "topic": "Users", "difficulty": "easy",
              "options": ["Settings", "Reports", "Billing"], "correct_option": 0, "tags": ["admin"]},
    "who": {"type": "multiple_choice", "text": "Who may reset passwords?", "topic": "Users", "difficulty": "hard",
            "options": ["Admins", "Anyone", "Help desk"], "correct_options": [0, 2], "points": 2},
    "csv": {"type": "true_false", "text": "CSV exports open in spreadsheets.", "topic": "Reports",
            "correct_value": True},
    "rows": {"type": "numeric", "text": "How many rows fit on a report page?", "topic": "Reports",
             "correct_number": 50, "tolerance": 5},
}
SHORT = {"type": "short_answer", "text": "Explain report scheduling.", "topic": "Reports", "points": 4,
         "model_answer": "Pick a time and recipients."}
RUBRIC = {"criteria": [
    {"name": "Setup", "topic": "Users", "weight": 2, "levels": [
        {"name": "poor", "points": 0}, {"name": "fair", "points": 1}, {"name": "good", "points": 2}]},
    {"name": "Report", "topic": "Reports", "levels": [{"name": "missing", "points": 0}, {"name": "done", "points": 3}]},
]}
ALL_RIGHT = {"where": {"option": 0}, "who": {"options": [2, 0]}, "csv": {"value": True}, "rows": {"number": 47.5}}


@pytest.fixture
def container(running_service):
    return running_service(AssessmentService, CERTIFICATE_EXPIRY_WINDOW_DAYS=60, REMEDIATION_DUE_DAYS=7)


@pytest.fixture
def assessment(container):
    return container.config


@pytest.fixture
def as_(container, rpc_as):
    """as_(caller): assessment's RPC, called by `caller`."""
    return lambda caller: rpc_as(container, caller)


@pytest.fixture
def db(assessment, store):
    return store(assessment, "assessment")


@pytest.fixture
def bank(as_):
    """The four objective questions in the bank, by key."""
    return {key: as_(SAM).create_question(question) for key, question in QUESTIONS_BY_KEY.items()}


def complete_session(container, *attendance, session_id="session-1", trainers=("tom",)):
    envelope = make_envelope("SessionCompleted.v1", session_id, {
        "session_id": session_id, "title": "Platform basics", "format": "online", "topics": ["Users"],
        "starts_at": datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
        "ends_at": datetime(2026, 3, 2, 12, tzinfo=timezone.utc),
        "trainer_ids": list(trainers), "completed_at": datetime(2026, 3, 2, 12, tzinfo=timezone.utc),
        "attendance": [{"learner_id": learner, "status": status} for learner, status in attendance]})
    deliver(container, "on_session_completed", "delivery", envelope)
    return envelope


def online_exam(as_, bank, **overrides):
    """A published online exam of the session, by its trainer, with the bank's four questions."""
    exam = as_(TOM).create_exam(dict({
        "title": "Platform basics", "method": "online", "session_id": "session-1", "pass_score": 60,
        "questions": [{"question_id": bank[key]["id"]} for key in QUESTIONS_BY_KEY]}, **overrides))
    return as_(TOM).publish_exam(exam["id"])


def answers(attempt, **by_key):
    """Answers to an attempt's questions, given by bank key (where, who, csv, rows, short)."""
    by_text = {question["text"]: key for key, question in dict(QUESTIONS_BY_KEY, short=SHORT).items()}
    return {"answers": [dict(by_key[by_text[item["text"]]], question_id=item["question_id"])
                        for item in attempt["items"] if by_text[item["text"]] in by_key]}


def move_deadline_into_the_past(db, attempt_id):
    """The server's clock passes the attempt's deadline (no test waits for real minutes)."""
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    db[ATTEMPTS].update_one({"_id": attempt_id}, {"$set": {"deadline": past}})


# ---- question bank -------------------------------------------------------------------------------

def test_questions_are_versioned_and_an_exam_keeps_the_version_it_pinned(as_, container, bank):
    complete_session(container, ("ada", "present"))
    exam = online_exam(as_, bank)
    revised = as_(SAM).revise_question(bank["where"]["id"], dict(
        QUESTIONS_BY_KEY["where"], text="Where do administrators create users?", version=1, note="clearer"))
    with pytest.raises(Conflict) as stale:
        as_(TOM).revise_question(bank["where"]["id"], dict(QUESTIONS_BY_KEY["where"], version=1))
    attempt = as_(ADA).start_attempt(exam["id"])

    assert (revised["version"], revised["versions"], revised["text"]) == (2, 2, "Where do administrators create users?")
    assert stale.value.details["version"] == 2
    assert as_(SAM).get_question(bank["where"]["id"], {"version": 1})["text"] == "Where are users created?"
    assert as_(TOM).get_exam(exam["id"])["questions"][0]["version"] == 1
    assert attempt["items"][0]["text"] == "Where are users created?"
    assert [question["topic"] for question in as_(TOM).list_questions({"topic": "users"})["items"]] == ["Users"] * 2
    assert as_(TOM).list_questions({"tag": "admin", "difficulty": "easy"})["total"] == 1

    retired = as_(SAM).retire_question(bank["where"]["id"])
    with pytest.raises(InvalidInput):
        online_exam(as_, bank)  # a new exam cannot use it
    submitted = as_(ADA).submit_attempt(exam["id"], attempt["id"], answers(attempt, where={"option": 0}))
    assert retired["status"] == "retired" and submitted["status"] == "graded"  # the exam that has it keeps it
    assert [question["text"] for question in as_(TOM).list_questions({"topic": "Users"})["items"]] == [
        "Who may reset passwords?"]


def test_of_two_authors_revising_one_question_at_once_one_wins(as_, container, bank):
    question_id = bank["csv"]["id"]

    def revise(index):
        with rpc_to(container, SAM) as assessment:
            return assessment.revise_question(question_id, dict(QUESTIONS_BY_KEY["csv"], text=f"Take {index}",
                                                                 version=1))

    outcomes = run_together(4, revise)

    assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if not isinstance(outcome, dict))
    assert as_(SAM).get_question(question_id)["versions"] == 2


@pytest.mark.parametrize("question, field", [
    (dict(QUESTIONS_BY_KEY["where"], correct_option=3), "correct_option"),
    (dict(QUESTIONS_BY_KEY["who"], correct_options=[]), "correct_options"),
    (dict(QUESTIONS_BY_KEY["csv"], options=["yes", "no"]), "options"),
    (dict(QUESTIONS_BY_KEY["rows"], correct_number=None), "correct_number"),
    (dict(SHORT, correct_option=0), "correct_option"),
    (dict(QUESTIONS_BY_KEY["where"], type="essay"), "type"),
])
def test_a_question_whose_key_does_not_fit_its_type_is_refused(as_, db, question, field):
    with pytest.raises(InvalidInput) as refused:
        as_(SAM).create_question(question)
    assert field in refused.value.details["fields"]
    assert db[QUESTIONS].count_documents({}) == 0


# ---- who may take an assessment ------------------------------------------------------------------

def test_the_attendees_of_a_completed_session_and_named_learners_may_take_it_nobody_else(as_, container, bank, db):
    early = online_exam(as_, bank)
    envelope = complete_session(container, ("ada", "present"), ("bob", "late"), ("cy", "absent"), ("eve", "excused"))
    deliver(container, "on_session_completed", "delivery", envelope)  # redelivered: no second effect
    late = online_exam(as_, bank, title="Made after the session")

    assert [learner for learner in db[EXAMS].find_one({"_id": early["id"]})["learner_ids"]] == ["ada", "bob"]
    assert as_(TOM).get_exam(late["id"])["learner_ids"] == ["ada", "bob"]
    assert as_(ADA).list_exams({})["total"] == 2
    with pytest.raises(NotFound):
        as_(CY).get_exam(early["id"])
    with pytest.raises(NotFound):
        as_(CY).start_attempt(early["id"])
    with pytest.raises(Forbidden):
        as_(TIA).open_exam(early["id"], {"learner_ids": ["cy"]})  # not her session

    as_(TOM).open_exam(early["id"], {"learner_ids": ["cy"]})
    assert as_(CY).start_attempt(early["id"])["status"] == "in_progress"
    assert as_(CY).list_exams({})["total"] == 1
    learner_view = as_(CY).get_exam(early["id"])
    assert "questions" not in learner_view and "learner_ids" not in learner_view


# ---- taking an online exam -----------------------------------------------------------------------

def test_an_online_exam_is_graded_at_once_and_its_learner_sees_marks_only_once_released(
        as_, container, bank, assessment, subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment")
    complete_session(container, ("ada", "present"))
    exam = online_exam(as_, bank)
    attempt = as_(ADA).start_attempt(exam["id"])
    assert all("correct_option" not in item and "awarded" not in item for item in attempt["items"])

    as_(ADA).save_answers(exam["id"], attempt["id"], answers(attempt, where={"option": 0}, who={"options": [0]}))
    submitted = as_(ADA).submit_attempt(exam["id"], attempt["id"], answers(attempt, csv={"value": True},
                                                                          rows={"number": 70}))
    staff_view = as_(TOM).get_attempt(exam["id"], attempt["id"])

    assert submitted["status"] == "graded" and "score" not in submitted
    assert "correct_options" not in str(as_(ADA).get_attempt(exam["id"], attempt["id"]))
    assert as_(ADA).list_results(exam["id"], {})["total"] == 0
    # where 1/1, who 0/2 (one of two right options), csv 1/1, rows 0/1: 2 of 5 points.
    assert (staff_view["score"], staff_view["passed"]) == (40.0, False)
    assert staff_view["topic_scores"] == [{"topic": "Users", "score": 33.3}, {"topic": "Reports", "score": 50.0}]
    assert staff_view["weak_topics"] == ["Users", "Reports"]
    submitted_event = events.wait_for("ExamSubmitted.v1")
    assert (submitted_event["data"]["attempt"], submitted_event["data"]["late"]) == (1, False)

    released = as_(TOM).release_results(exam["id"], {})
    again = as_(TOM).release_results(exam["id"], {})
    learner_view = as_(ADA).get_attempt(exam["id"], attempt["id"])

    assert (released["released"], again["released"]) == (1, 0)
    assert learner_view["score"] == 40.0 and learner_view["items"][1]["correct_options"] == [0, 2]
    graded = events.wait_for("ExamGraded.v1")
    assert graded["subject"] == attempt["id"]
    assert {key: graded["data"][key] for key in ("learner_id", "score", "passed", "method", "title", "attempt",
                                                 "pre_test", "weak_topics")} == {
        "learner_id": "ada", "score": 40.0, "passed": False, "method": "online", "title": "Platform basics",
        "attempt": 1, "pre_test": False, "weak_topics": ["Users", "Reports"]}
    assert graded["data"]["topic_scores"][0] == {"topic": "Users", "score": 33.3}
    assigned = events.wait_for("RemediationAssigned.v1")
    assert (assigned["data"]["reason"], assigned["data"]["topics"]) == ("failed", ["Users", "Reports"])
    assert as_(ADA).list_remediations({})["items"][0]["exam_title"] == "Platform basics"


def test_a_submission_after_the_time_limit_is_graded_as_of_the_deadline(as_, container, bank, db, assessment,
                                                                        subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment", "ExamSubmitted.v1")
    complete_session(container, ("ada", "present"), ("bob", "present"))
    exam = online_exam(as_, bank, time_limit_minutes=30)
    attempt = as_(ADA).start_attempt(exam["id"])
    assert attempt["deadline"] == (datetime.fromisoformat(attempt["started_at"]) + timedelta(minutes=30)).isoformat()
    as_(ADA).save_answers(exam["id"], attempt["id"], answers(attempt, where={"option": 0}))

    move_deadline_into_the_past(db, attempt["id"])
    with pytest.raises(Conflict) as refused:
        as_(ADA).save_answers(exam["id"], attempt["id"], answers(attempt, csv={"value": True}))
    submitted = as_(ADA).submit_attempt(exam["id"], attempt["id"], answers(attempt, **ALL_RIGHT))
    staff_view = as_(TOM).get_attempt(exam["id"], attempt["id"])

    assert "time was up" in refused.value.message
    assert (submitted["status"], submitted["late"]) == ("graded", True)
    assert staff_view["score"] == 20.0  # only the answer saved in time: 1 of 5 points
    assert events.wait_for("ExamSubmitted.v1", where=lambda e: e["data"]["learner_id"] == "ada")["data"]["late"]

    # Bob never submits: the timer submits his attempt as of the deadline.
    forgotten = as_(BOB).start_attempt(exam["id"])
    as_(BOB).save_answers(exam["id"], forgotten["id"], answers(forgotten, **ALL_RIGHT))
    move_deadline_into_the_past(db, forgotten["id"])
    with entrypoint_hook(container, "submit_overdue_attempts") as sweep:
        sweep()
    swept = as_(TOM).get_attempt(exam["id"], forgotten["id"])
    assert (swept["status"], swept["late"], swept["score"]) == ("graded", True, 100.0)


def test_two_submissions_of_one_attempt_at_the_same_moment_count_once(as_, container, bank, db, assessment,
                                                                       subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment", "ExamSubmitted.v1")
    complete_session(container, ("ada", "present"))
    exam = online_exam(as_, bank)
    attempt = as_(ADA).start_attempt(exam["id"])
    choices = [{"where": {"option": index % 3}} for index in range(6)]

    def submit(index):
        with rpc_to(container, ADA) as assessment_rpc:
            return assessment_rpc.submit_attempt(exam["id"], attempt["id"], answers(attempt, **choices[index]))

    outcomes = run_together(6, submit)

    counted = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert (len(counted), len(refused)) == (1, 5)
    assert all(conflict.details["status"] == "graded" for conflict in refused)
    stored = db[ATTEMPTS].find_one({"_id": attempt["id"]})
    assert [entry["action"] for entry in stored["history"]] == ["submitted"]
    assert events.wait_for("ExamSubmitted.v1")["subject"] == attempt["id"]
    assert events.collect(1.0) == []


def test_attempts_are_limited_and_a_learner_starting_twice_at_once_gets_one(as_, container, bank, db):
    complete_session(container, ("ada", "present"))
    exam = online_exam(as_, bank, attempts_allowed=2)

    def start(index):
        with rpc_to(container, ADA) as assessment_rpc:
            return assessment_rpc.start_attempt(exam["id"])

    first = run_together(4, start)
    assert len({attempt["id"] for attempt in first}) == 1
    as_(ADA).submit_attempt(exam["id"], first[0]["id"], answers(first[0], where={"option": 1}))
    second = as_(ADA).start_attempt(exam["id"])
    as_(ADA).submit_attempt(exam["id"], second["id"], answers(second, **ALL_RIGHT))
    with pytest.raises(Conflict) as spent:
        as_(ADA).start_attempt(exam["id"])

    assert second["number"] == 2
    assert spent.value.details == {"attempts_allowed": 2, "attempts": 2}
    assert db[ATTEMPTS].count_documents({"exam_id": exam["id"]}) == 2
    assert as_(TOM).exam_report(exam["id"], {})["mean"] == 100.0  # each learner's best attempt counts


def test_an_exam_drawn_at_random_from_the_bank_by_topic_and_difficulty(as_, container, bank):
    for number in range(3):
        as_(SAM).create_question(dict(QUESTIONS_BY_KEY["csv"], text=f"Easy reports fact {number}", difficulty="easy"))
    with pytest.raises(InvalidInput) as short_bank:
        as_(TOM).create_exam({"title": "Too many", "method": "online", "pass_score": 50,
                              "draw": [{"topic": "reports", "difficulty": "easy", "count": 4}]})
    assert "3 active question" in short_bank.value.details["fields"]["draw"]["0"]["count"][0]

    complete_session(container, ("ada", "present"))
    exam = as_(TOM).create_exam({"title": "Random", "method": "online", "pass_score": 50, "session_id": "session-1",
                                 "draw": [{"topic": "reports", "difficulty": "easy", "count": 2},
                                          {"topic": "Users", "count": 1}]})
    as_(TOM).publish_exam(exam["id"])
    attempt = as_(ADA).start_attempt(exam["id"])

    assert exam["question_count"] == 3 and len(exam["questions"]) == 5  # the pool: 3 easy reports, 2 users
    assert [(item["topic"], item["difficulty"]) for item in attempt["items"]][:2] == [("Reports", "easy")] * 2
    assert attempt["items"][2]["topic"] == "Users"


# ---- grading by trainers -------------------------------------------------------------------------

def test_short_answers_wait_in_the_queue_of_the_exams_trainers(as_, container, bank, db):
    short = as_(SAM).create_question(SHORT)
    complete_session(container, ("ada", "present"))
    exam = as_(TOM).create_exam({"title": "Homework 1", "method": "homework", "session_id": "session-1",
                                 "pass_score": 50, "questions": [{"question_id": bank["csv"]["id"]},
                                                                 {"question_id": short["id"]}]})
    as_(TOM).publish_exam(exam["id"])
    attempt = as_(ADA).start_attempt(exam["id"])
    submitted = as_(ADA).submit_attempt(exam["id"], attempt["id"],
                                        answers(attempt, csv={"value": True}, short={"text": "Set time, add people"}))

    queue = as_(TOM).grading_queue({})
    assert submitted["status"] == "submitted"
    assert [(task["id"], task["exam_title"], task["pending"]) for task in queue["items"]] == [
        (attempt["id"], "Homework 1", [short["id"]])]
    assert as_(TIA).grading_queue({})["total"] == 0
    with pytest.raises(Forbidden):
        as_(TIA).grade_attempt(exam["id"], attempt["id"], {"items": [{"question_id": short["id"], "points": 4}]})
    with pytest.raises(InvalidInput) as too_many:
        as_(TOM).grade_attempt(exam["id"], attempt["id"], {"items": [{"question_id": short["id"], "points": 5}]})
    assert too_many.value.details["fields"]["items"]["0"]["points"] == ["at most 4"]

    def grade(index):
        with rpc_to(container, [TOM, SAM][index]) as assessment_rpc:
            return assessment_rpc.grade_attempt(exam["id"], attempt["id"], {
                "items": [{"question_id": short["id"], "points": 3, "comment": "no recipients"}]})

    outcomes = run_together(2, grade)
    graded = next(outcome for outcome in outcomes if isinstance(outcome, dict))
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 1
    assert (graded["status"], graded["score"], graded["passed"]) == ("graded", 80.0, True)  # 1 + 3 of 5 points
    assert graded["items"][1]["comment"] == "no recipients"
    assert as_(TOM).grading_queue({})["total"] == 0


def test_project_work_is_handed_in_and_graded_by_its_rubric(as_, container, db):
    complete_session(container, ("ada", "present"))
    exam = as_(TOM).create_exam({"title": "Reporting project", "method": "project", "session_id": "session-1",
                                 "pass_score": 70, "rubric": RUBRIC})
    with pytest.raises(NotFound):
        as_(ADA).hand_in(exam["id"], {"text": "My report"})  # a draft: learners do not know it exists
    as_(TOM).publish_exam(exam["id"])
    handed_in = as_(ADA).hand_in(exam["id"], {"text": "My report", "links": ["https://example.com/report"]})
    with pytest.raises(Conflict):
        as_(ADA).hand_in(exam["id"], {"text": "Again"})  # one attempt allowed
    with pytest.raises(InvalidInput) as unmarked:
        as_(TOM).grade_attempt(exam["id"], handed_in["id"], {"criteria": [{"criterion": "setup", "level": "great"}]})
    graded = as_(TOM).grade_attempt(exam["id"], handed_in["id"], {
        "criteria": [{"criterion": "setup", "level": "Fair"}, {"criterion": "Report", "level": "done"}]})

    assert as_(TOM).get_exam(exam["id"])["topics"] == ["Users", "Reports"]
    assert set(unmarked.value.details["fields"]) == {"Setup", "Report"}
    # Setup weighs 2 at 1 of 2 points, Report 1 at 3 of 3: (2 × 0.5 + 1) / 3.
    assert (graded["score"], graded["passed"], graded["weak_topics"]) == (66.7, False, ["Users"])
    assert [score["level"] for score in graded["rubric_scores"]] == ["fair", "done"]


def test_csv_entry_is_all_or_nothing_with_an_error_per_bad_row(as_, container, db, monkeypatch):
    complete_session(container, ("ada", "present"), ("bob", "present"), ("cy", "present"))
    exam = as_(TOM).create_exam({"title": "Practical", "method": "practical", "session_id": "session-1",
                                 "pass_score": 50, "rubric": RUBRIC})
    as_(TOM).publish_exam(exam["id"])
    bad = "learner_id,Setup,Report\nada,good,done\neve,good,done\nbob,superb,done\nada,poor,missing\n"
    with pytest.raises(InvalidInput) as refused:
        as_(TOM).import_results(exam["id"], bad)
    with pytest.raises(InvalidInput) as wrong_header:
        as_(TOM).import_results(exam["id"], "learner_id,Setup\nada,good\n")

    assert refused.value.details["rows"] == {
        "3": {"learner_id": ["the assessment is not open to this learner"]},
        "4": {"setup": ["choose a level: poor, fair, good"]},
        "5": {"learner_id": ["appears twice in the file"]}}
    assert wrong_header.value.details["missing"] == ["report"]
    assert db[ATTEMPTS].count_documents({}) == 0

    good = "Learner_ID,setup,REPORT,comment\nada,good,done,tidy\nbob,poor,done,\n"
    entered = as_(TOM).import_results(exam["id"], good)
    again = as_(TOM).import_results(exam["id"], good)
    results = {result["learner_id"]: result for result in as_(TOM).list_results(exam["id"], {})["items"]}

    assert entered["rows"] == 2 and again["result_ids"] == entered["result_ids"]
    assert (results["ada"]["score"], results["ada"]["comment"]) == (100.0, "tidy")
    assert (results["bob"]["score"], results["bob"]["passed"]) == (33.3, False)
    as_(TOM).release_results(exam["id"], {"learner_ids": ["ada"]})
    with pytest.raises(InvalidInput) as released:
        as_(TOM).import_results(exam["id"], good)
    assert released.value.details["rows"] == {"2": {"learner_id": ["this learner's result is released already"]}}

    # Released after the file was checked and before its row was written: that row is reported and
    # every other row still goes in (no error halfway through a file).
    monkeypatch.setattr(results_entry, "released_learners", lambda *args: set())
    outcome = results_entry.import_results(db, exam["id"], good.replace("bob,poor", "bob,good"), TOM,
                                           datetime.now(timezone.utc))
    assert outcome["skipped"] == [{"learner_id": "ada", "reason": "the result was released meanwhile"}]
    results = {result["learner_id"]: result for result in as_(TOM).list_results(exam["id"], {})["items"]}
    assert (outcome["rows"], results["ada"]["status"], results["bob"]["score"]) == (1, "released", 100.0)


def test_a_csv_entered_while_results_are_released_is_never_left_half_entered(as_, container, db):
    complete_session(container, ("ada", "present"), ("bob", "present"))
    exam = as_(TOM).create_exam({"title": "Practical", "method": "practical", "session_id": "session-1",
                                 "pass_score": 50, "rubric": RUBRIC})
    as_(TOM).publish_exam(exam["id"])
    as_(TOM).import_results(exam["id"], "learner_id,Setup,Report\nada,poor,done\n")
    corrected = "learner_id,Setup,Report\nada,good,done\nbob,good,done\n"

    for _ in range(5):  # the race lands differently from round to round
        db[ATTEMPTS].update_many({"exam_id": exam["id"], "learner_id": "ada"},
                                 {"$set": {"status": "graded", "score": 33.3}})
        db[ATTEMPTS].delete_many({"exam_id": exam["id"], "learner_id": "bob"})
        with rpc_to(container, TOM) as importer, rpc_to(container, TOM) as releaser:
            entry, release = run_together(2, lambda index: (
                importer.import_results(exam["id"], corrected) if index == 0
                else releaser.release_results(exam["id"], {"learner_ids": ["ada"]})))
        assert isinstance(release, dict), release
        results = {result["learner_id"]: result for result in as_(TOM).list_results(exam["id"], {})["items"]}
        if isinstance(entry, InvalidInput):  # released first: the whole file is refused, nothing entered
            assert "bob" not in results
        else:  # entered: every row, or every row but ada's, released meanwhile and reported
            assert isinstance(entry, dict), entry
            assert results["bob"]["score"] == 100.0
            skipped = [row["learner_id"] for row in entry["skipped"]]
            assert skipped in ([], ["ada"]) and entry["rows"] == 2 - len(skipped)
        assert results["ada"]["status"] == "released"


def test_paper_results_feed_the_reports_and_the_item_analysis(as_, container, bank):
    complete_session(container, ("ada", "present"), ("bob", "present"), ("cy", "present"))
    exam = as_(TOM).create_exam({"title": "Paper", "method": "paper", "session_id": "session-1", "pass_score": 60,
                                 "questions": [{"question_id": bank[key]["id"]} for key in ("where", "who", "csv")]})
    as_(TOM).publish_exam(exam["id"])
    as_(TOM).import_results(exam["id"], "learner_id,q1,q2,q3\nada,1,2,1\nbob,1,1,0\ncy,0,0,1\n")

    report = as_(TOM).exam_report(exam["id"], {"top": 1})
    session = as_(SAM).session_report("session-1", {})
    analysis = as_(SAM).item_analysis(exam["id"])

    # ada 4/4 = 100, bob 2/4 = 50, cy 1/4 = 25.
    assert (report["count"], report["mean"], report["median"], report["pass_rate"]) == (3, 58.3, 50.0, 33.3)
    assert [entry["learner_id"] for entry in report["top"] + report["bottom"]] == ["ada", "cy"]
    assert [band["count"] for band in report["distribution"]] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1]
    assert session["exams"][0]["exam_id"] == exam["id"] and session["overall"]["count"] == 3
    assert analysis["group_size"] == 1
    assert [(item["facility"], item["discrimination"]) for item in analysis["items"]] == [
        (0.67, 1.0), (0.5, 1.0), (0.67, 0.0)]
    assert [item["flags"] for item in analysis["items"]] == [[], [], ["not_discriminating"]]
    with pytest.raises(Forbidden):
        as_(ADA).exam_report(exam["id"], {})


# ---- what follows a released result --------------------------------------------------------------

def graded_envelope(exam, learner_id, score, passed, weak_topics=(), pre_test=False):
    return make_envelope("ExamGraded.v1", f"attempt-{learner_id}", {
        "submission_id": f"attempt-{learner_id}", "exam_id": exam["id"], "learner_id": learner_id,
        "session_id": exam["session_id"], "score": score, "pass_score": exam["pass_score"], "passed": passed,
        "weak_topics": list(weak_topics), "graded_at": datetime.now(timezone.utc), "method": exam["method"],
        "title": exam["title"], "attempt": 1, "pre_test": pre_test})


def test_a_released_result_assigns_remediation_and_issues_a_certificate_once(as_, container, bank, db, assessment,
                                                                             subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment")
    exam = online_exam(as_, bank, certificate={"topic": "Platform administration", "valid_months": 12})
    weak = graded_envelope(exam, "ada", 80.0, True, ["Reports"])
    failed = graded_envelope(exam, "bob", 30.0, False)
    pre = graded_envelope(exam, "cy", 10.0, False, pre_test=True)
    deliver(container, "assign_remediation", "assessment", weak, weak, failed, pre)
    deliver(container, "issue_certificate", "assessment", weak, weak, failed)

    remediations = {each["learner_id"]: each for each in as_(TOM).list_remediations({})["items"]}
    assert {learner: (each["reason"], each["topics"]) for learner, each in remediations.items()} == {
        "ada": ("weak_topics", ["Reports"]), "bob": ("failed", ["Users", "Reports"])}
    certificate, = as_(ADA).list_certificates({})["items"]
    expires, today = date.fromisoformat(certificate["expires_at"]), datetime.now(timezone.utc).date()
    assert (expires.year, expires.month) == (today.year + 1, today.month)  # valid for 12 months
    assert certificate["number"].startswith("CERT-")
    assert as_(BOB).list_certificates({})["total"] == 0
    issued = events.wait_for("CertificateIssued.v1")
    assert (issued["data"]["topic"], issued["data"]["learner_id"]) == ("Platform administration", "ada")

    with pytest.raises(Forbidden):
        as_(ADA).get_remediation(remediations["bob"]["id"])
    with pytest.raises(Forbidden):
        as_(TIA).close_remediation(remediations["bob"]["id"], {"note": "tutored"})
    closed = as_(TOM).close_remediation(remediations["bob"]["id"], {"note": "Went through user roles together"})
    with pytest.raises(Conflict):
        as_(TOM).close_remediation(remediations["bob"]["id"], {"note": "again"})
    assert (closed["status"], closed["closed_by"]) == ("closed", "tom")
    assert as_(TOM).list_remediations({"status": "open"})["total"] == 1
    assert db[REMEDIATIONS].count_documents({}) == 2 and db[CERTIFICATES].count_documents({}) == 1


def test_certificates_expiring_within_the_window_are_announced_once(as_, container, bank, db, assessment,
                                                                   subscriber):
    events = subscriber(assessment["AMQP_URI"], "assessment", "CertificateExpiring.v1")
    exam = online_exam(as_, bank, certificate={"topic": "Platform administration", "product": "Platform",
                                               "valid_months": 1})
    lasting = online_exam(as_, bank, title="Lasting", certificate={"topic": "Reporting", "valid_months": 24})
    deliver(container, "issue_certificate", "assessment", graded_envelope(exam, "ada", 90.0, True),
            graded_envelope(lasting, "ada", 90.0, True))

    with entrypoint_hook(container, "announce_expiring_certificates") as announce:
        announce()
        announce()

    expiring = events.wait_for("CertificateExpiring.v1")
    assert (expiring["data"]["topic"], expiring["data"]["product"], expiring["data"]["learner_id"]) == (
        "Platform administration", "Platform", "ada")
    assert events.collect(1.0) == []
    assert as_(SAM).list_certificates({"expiring_within_days": 60})["total"] == 1


def test_awards_go_to_the_top_performers_by_the_rule_once_results_are_final(as_, container, bank):
    complete_session(container, ("ada", "present"), ("bob", "present"), ("cy", "present"))
    exam = as_(TOM).create_exam({"title": "Paper", "method": "paper", "session_id": "session-1", "pass_score": 50,
                                 "questions": [{"question_id": bank["who"]["id"]}, {"question_id": bank["csv"]["id"]}],
                                 "recognition": {"top_count": 1, "min_score": 60}})
    as_(TOM).publish_exam(exam["id"])
    as_(TOM).import_results(exam["id"], "learner_id,q1,q2\nada,2,1\nbob,2,1\ncy,1,1\n")
    with pytest.raises(Conflict):
        as_(TOM).grant_awards(exam["id"])  # still open
    as_(TOM).close_exam(exam["id"])
    with pytest.raises(Conflict) as unreleased:
        as_(TOM).grant_awards(exam["id"])
    assert unreleased.value.details == {"unreleased": 3}
    as_(TOM).release_results(exam["id"], {})

    granted = as_(TOM).grant_awards(exam["id"])
    with pytest.raises(Conflict):
        as_(TOM).grant_awards(exam["id"])

    assert [(award["learner_id"], award["rank"], award["score"]) for award in granted["items"]] == [
        ("ada", 1, 100.0), ("bob", 1, 100.0)]  # tied at the top: both
    assert [award["learner_id"] for award in as_(BOB).list_awards(exam["id"], {})["items"]] == ["bob"]
    assert as_(CY).list_awards(exam["id"], {})["total"] == 0


# ---- privacy -------------------------------------------------------------------------------------

def test_an_erased_learner_is_pseudonymised_in_results_and_forgotten_elsewhere(as_, container, bank, db):
    short = as_(SAM).create_question(SHORT)
    complete_session(container, ("ada", "present"), ("bob", "present"))
    exam = online_exam(as_, bank, certificate={"topic": "Platform administration"},
                       questions=[{"question_id": bank["csv"]["id"]}, {"question_id": short["id"]}])
    attempt = as_(ADA).start_attempt(exam["id"])
    as_(ADA).submit_attempt(exam["id"], attempt["id"], answers(attempt, csv={"value": True},
                                                               short={"text": "I am Ada, call me at 555-0100"}))
    as_(TOM).grade_attempt(exam["id"], attempt["id"], {"items": [{"question_id": short["id"], "points": 4}]})
    as_(TOM).release_results(exam["id"], {})
    wait_until(lambda: db[CERTIFICATES].count_documents({"learner_id": "ada"}) == 1, message="ada's certificate")
    erased = make_envelope("LearnerErased.v1", "ada", {"learner_id": "ada", "erased_at": datetime.now(timezone.utc)})

    deliver(container, "on_learner_erased", "archive", erased, erased)

    stored = db[ATTEMPTS].find_one({"_id": attempt["id"]})
    assert stored["learner_id"].startswith("erased-") and "ada" not in stored["learner_id"]
    assert "555-0100" not in str(stored) and "'by': 'ada'" not in str(stored)
    for collection in (CERTIFICATES, REMEDIATIONS, EXAMS):
        assert "'ada'" not in str(list(db[collection].find())), collection
    assert as_(TOM).exam_report(exam["id"], {})["count"] == 1  # the statistics stay true
    assert as_(TOM).list_results(exam["id"], {"learner_id": "ada"})["total"] == 0


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("exam, field", [
    ({"method": "online"}, "questions"),  # neither questions nor draw rules
    ({"method": "practical", "questions": [{"question_id": "question-x"}]}, "rubric"),
    ({"method": "homework", "time_limit_minutes": 30, "questions": [{"question_id": "question-x"}]},
     "time_limit_minutes"),
    ({"method": "paper", "attempts_allowed": 2, "questions": [{"question_id": "question-x"}]}, "attempts_allowed"),
    ({"method": "online", "questions": [{"question_id": "question-unknown"}]}, "questions"),
    ({"method": "online",
      "draw": [{"topic": "Users", "count": 1}, {"topic": "users", "difficulty": "easy", "count": 1}]}, "draw"),
])
def test_an_assessment_that_does_not_fit_its_method_is_refused_and_nothing_is_written(as_, db, exam, field):
    with pytest.raises(InvalidInput) as refused:
        as_(TOM).create_exam(dict({"title": "Broken", "pass_score": 50}, **exam))
    assert field in refused.value.details["fields"]
    assert db[EXAMS].count_documents({}) == 0


def test_learners_cannot_author_or_grade_and_staff_cannot_answer_for_learners(as_, container, bank):
    complete_session(container, ("ada", "present"))
    exam = online_exam(as_, bank)
    attempt = as_(ADA).start_attempt(exam["id"])
    with pytest.raises(Forbidden):
        as_(ADA).create_question(SHORT)
    with pytest.raises(Forbidden):
        as_(ADA).release_results(exam["id"], {})
    with pytest.raises(Forbidden):
        as_(TOM).submit_attempt(exam["id"], attempt["id"], {})
    with pytest.raises(Forbidden):
        as_({"id": "ada", "roles": ["trainer", "learner"]}).release_results(exam["id"], {})
