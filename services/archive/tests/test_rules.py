"""Unit tests of the archive's pure rules: no broker, no store."""
import itertools
import pytest
from cryptography.fernet import Fernet, InvalidToken

from shared.errors import InvalidInput
from shared.events import read_envelope

from services.archive.exports import statements
from services.archive.history import fold, learner_fact, session_fact
from services.archive.keyring import Keyring
from services.archive.registry import parse_rows
from services.archive.tests.events import DAY, HOUR, T0

MASTER, SEARCH = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def envelope(event_id, event_type="LearnerEnrolled.v1"):
    return {"id": event_id, "type": event_type}


def story():
    """Facts about ada in s-1, as the handlers keep them."""
    return [
        learner_fact(envelope("e1"), "ada", T0 - 10 * DAY, "enrolled", {"from_waiting_list": True},
                     {"title": "Reports", "venue": "Room 1", "trainer_ids": ["tom"], "starts_at": T0,
                      "ends_at": T0 + 2 * HOUR}),
        session_fact(envelope("e2"), T0 - 5 * DAY, "session_rescheduled", {"venue": "Room 2", "starts_at": T0,
                                                                          "ends_at": T0 + 3 * HOUR}),
        learner_fact(envelope("e3"), "ada", T0 + HOUR, "attendance", {"status": "late", "participation_score": 40}),
        session_fact(envelope("e4"), T0 + 3 * HOUR, "session_completed", {"title": "Reports workshop"}),
        learner_fact(envelope("e4"), "ada", T0 + 3 * HOUR, "attendance", {"status": "present",
                                                                          "participation_score": 80}),
        learner_fact(envelope("e5"), "ada", T0 + DAY, "graded", {"exam_id": "x", "score": 70.0, "passed": True,
                                                                  "method": "online", "graded_at": T0 + DAY}),
    ]


def test_a_record_folds_the_same_from_every_order_of_its_facts():
    folds = {str(fold("ada", "s-1", list(order))) for order in itertools.permutations(story())}

    record = fold("ada", "s-1", story())
    assert len(folds) == 1
    assert (record["title"], record["venue"], record["trainer_ids"]) == ("Reports workshop", "Room 2", ["tom"])
    assert record["attendance"]["status"] == "present" and record["enrolment"]["from_waiting_list"] is True
    assert (record["session_status"], record["completed"], record["hours"]) == ("completed", True, 3.0)
    assert record["result"]["score"] == 70.0 and record["version"] == 6


def test_a_later_correction_wins_and_a_cancelled_enrolment_is_not_completed():
    facts = story() + [learner_fact(envelope("e6"), "ada", T0 + 2 * DAY, "attendance",
                                    {"status": "absent", "participation_score": None})]
    assert fold("ada", "s-1", facts)["completed"] is False
    cancelled = story()[:1] + [learner_fact(envelope("e7"), "ada", T0 - DAY, "enrolment_cancelled",
                                            {"reason": "ill"})]
    record = fold("ada", "s-1", cancelled)
    assert record["enrolment"]["status"] == "cancelled" and record["hours"] == 0.0


def test_equal_times_fold_by_envelope_id():
    first = learner_fact(envelope("a"), "ada", T0, "attendance", {"status": "late", "participation_score": 1})
    second = learner_fact(envelope("b"), "ada", T0, "attendance", {"status": "present", "participation_score": 2})
    assert fold("ada", "s", [second, first])["attendance"]["status"] == "present"


def test_sealed_fields_open_only_with_the_master_key_and_rotate():
    keyring = Keyring(MASTER, SEARCH)
    wrapped = keyring.new_wrapped_key()
    token = keyring.seal(wrapped, {"email": "ada@example.com"})

    assert "ada" not in token and "ada" not in wrapped
    assert keyring.unseal(wrapped, token) == {"email": "ada@example.com"}
    with pytest.raises(InvalidToken):
        Keyring(Fernet.generate_key().decode(), SEARCH).unseal(wrapped, token)
    rotated = Keyring(f"{Fernet.generate_key().decode()},{MASTER}", SEARCH)  # new key first, old still opens
    assert rotated.unseal(wrapped, token) == {"email": "ada@example.com"}


def test_blind_index_ignores_case_spacing_and_unicode_form_but_not_the_key():
    keyring = Keyring(MASTER, SEARCH)
    assert keyring.blind("name", "Zoë  Ådams") == keyring.blind("name", " zoe\u0308 ådams ")
    assert keyring.blind("name", "Ada") != keyring.blind("email", "Ada")
    assert keyring.blind("name", "Ada") != Keyring(MASTER, Fernet.generate_key().decode()).blind("name", "Ada")
    assert keyring.blind("learner", "Ada", normalise=False) != keyring.blind("learner", "ada", normalise=False)


def test_csv_rows_report_every_problem_with_spreadsheet_row_numbers():
    header = "Learner ID,first_name,last_name,email,organisation,user_type\n"
    rows, errors = parse_rows("\ufeff" + header + "a,Ann,Lee,ann@example.com,Org,customer\n\n"
                              "b,Bo,,bo@example.com,Org,customer\nc,Cy,Ng,cy@example.com,Org,customer,extra\n")
    assert list(rows) == ["2"] and rows["2"]["learner_id"] == "a"
    assert errors == {"4": {"last_name": ["Missing data for required field."]},
                      "5": {"_row": ["more values than columns"]}}
    with pytest.raises(InvalidInput) as missing:
        parse_rows("first_name,last_name\nAnn,Lee\n")
    assert "learner_id" in missing.value.details["missing_columns"]


def test_xapi_statements_are_stable_and_name_no_one_by_email():
    record = fold("ada", "s-1", story())
    result = {"_id": "sub-1", "learner_id": "ada", "exam_id": "x", "title": "Reports exam", "score": 70.0,
              "passed": True, "graded_at": T0 + DAY}

    first = statements([record], [result], "https://lms.example.com")
    again = statements([record], [result], "https://lms.example.com")

    assert first == again
    assert [each["verb"]["display"]["en-US"] for each in first] == ["registered", "attended", "completed", "passed"]
    assert first[-1]["result"]["score"] == {"scaled": 0.7, "raw": 70.0, "min": 0, "max": 100}
    assert first[0]["actor"] == {"objectType": "Agent",
                                 "account": {"homePage": "https://lms.example.com", "name": "ada"}}
    assert first[1]["context"]["instructor"]["account"]["name"] == "tom"
    assert len({each["id"] for each in first}) == 4


def test_test_events_are_valid_catalogue_events():
    from services.archive.tests.events import full_history
    for each in full_history("ada"):
        assert read_envelope(each)[0]["id"] == each["id"]
