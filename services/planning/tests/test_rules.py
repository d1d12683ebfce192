"""Unit tests of planning's rules and pure domain functions (no broker, no store)."""
from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from shared.errors import InvalidInput

from services.planning import derived_needs
from services.planning.coverage import plan_coverage
from services.planning.needs import merge_key, need_id, priority
from services.planning.plan_rules import check_plan, local_sessions, overlaps_working_hours
from services.planning.publishing import announcement, published_item
from services.planning.questionnaire_import import parse
from services.planning.contract import PlanItemSchema

TODAY = date(2026, 3, 2)  # a Monday


def item(**overrides):
    return PlanItemSchema().load(dict({"title": "Basics", "format": "online", "audience": "admins"}, **overrides))


def scheduled(*starts, tz="Europe/Berlin", minutes=120, **overrides):
    return item(schedule={"session_starts": list(starts), "duration_minutes": minutes, "timezone": tz}, **overrides)


def errors_of(findings):
    return findings.errors.get("items", {})


def test_sessions_within_the_year_and_quarter_pass():
    findings = check_plan(2026, [scheduled("2026-04-14T09:00", quarter=2)], TODAY, 14)
    assert findings.errors == {} and findings.warnings == []


def test_session_outside_the_plan_year_is_an_error():
    findings = check_plan(2026, [item(), scheduled("2027-01-12T09:00")], TODAY, 14)
    assert "outside the plan year 2026" in errors_of(findings)[1]["schedule"][0]
    assert 0 not in errors_of(findings)


def test_session_outside_the_items_quarter_is_an_error():
    findings = check_plan(2026, [scheduled("2026-07-01T09:00", quarter=2)], TODAY, 14)
    assert "not in Q2" in errors_of(findings)[0]["schedule"][0]


def test_session_in_the_past_is_an_error():
    findings = check_plan(2026, [scheduled("2026-02-27T09:00")], TODAY, 14)
    assert "in the past" in errors_of(findings)[0]["schedule"][0]


@pytest.mark.parametrize("days_ahead, important, refused", [
    (13, True, True), (14, True, False), (3, False, False)])
def test_important_items_need_the_minimum_notice(days_ahead, important, refused):
    start = (TODAY + timedelta(days=days_ahead)).isoformat() + "T10:00"
    findings = check_plan(2026, [scheduled(start, important=important)], TODAY, 14)
    assert bool(errors_of(findings)) is refused
    if refused:
        assert "14 days ahead" in errors_of(findings)[0]["schedule"][0]


def test_working_hours_overlap_is_a_warning_not_an_error():
    hours = {"weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "17:00"}
    clash = scheduled("2026-04-14T16:00", audience_working_hours=hours)  # Tuesday 16:00-18:00
    evening = scheduled("2026-04-14T18:00", audience_working_hours=hours)
    weekend = scheduled("2026-04-18T10:00", audience_working_hours=hours)  # Saturday
    findings = check_plan(2026, [clash, evening, weekend], TODAY, 14)
    assert findings.errors == {}
    assert [warning["rule"] for warning in findings.warnings] == ["working_hours"]
    assert "2026-04-14 16:00" in findings.warnings[0]["message"]


def test_a_session_spanning_midnight_meets_the_next_mornings_hours():
    zone = local_sessions({"session_starts": ["2026-04-14T22:00"], "duration_minutes": 720,
                           "timezone": "UTC"})[0]
    assert overlaps_working_hours(*zone, {"weekdays": [3], "start": "09:00", "end": "17:00"})


def test_local_sessions_respect_time_zone_and_daylight_saving():
    (start, end), = local_sessions({"session_starts": ["2026-07-01T09:00"], "duration_minutes": 90,
                                    "timezone": "Europe/Berlin"})
    assert start.astimezone(timezone.utc) == datetime(2026, 7, 1, 7, 0, tzinfo=timezone.utc)
    assert end - start == timedelta(minutes=90)


@pytest.mark.parametrize("schedule, field", [
    ({"session_starts": ["2026-04-14T09:00"], "timezone": "UTC"}, "duration_minutes"),
    ({"session_starts": ["2026-04-14T09:00"], "duration_minutes": 60, "timezone": "Mars/Olympus"}, "timezone"),
    ({"session_starts": ["2026-02-30T09:00"], "duration_minutes": 60}, "session_starts"),
])
def test_schedule_is_validated(schedule, field):
    with pytest.raises(ValidationError) as refused:
        item(schedule=schedule)
    assert field in refused.value.messages["schedule"]


AUDIENCE = {"user_type": "Administrator", "industry": "Retail", "level": None}


def test_needs_merge_by_topic_product_and_audience_ignoring_case_and_spaces():
    first = {"topic": "Report  builder", "product": "Analytics", "audience": AUDIENCE}
    same = {"topic": "report builder", "product": "analytics ", "audience": dict(AUDIENCE, user_type="administrator")}
    other_level = {"topic": "Report builder", "product": "Analytics", "audience": dict(AUDIENCE, level="expert")}
    assert need_id(first) == need_id(same)
    assert merge_key(first) != merge_key(other_level)


def test_priority_ranks_urgency_then_demand_then_recency():
    now = datetime(2026, 3, 2, tzinfo=timezone.utc)

    def need(level, requesters, idle_days):
        return {"urgency_level": level, "requesters": requesters, "last_recorded_at": now - timedelta(days=idle_days)}

    assert priority(need(4, 1, 0), now) > priority(need(3, 1, 0), now)
    assert priority(need(2, 8, 0), now) > priority(need(2, 2, 0), now)
    assert priority(need(2, 2, 0), now) > priority(need(2, 2, 180), now)


GRADED = {"exam_id": "exam-1", "learner_id": "learner-9", "session_id": "session-3", "score": 48.0,
          "pass_score": 60, "passed": False, "weak_topics": ["Filters", "Exports", "Filters"]}


def test_weak_exam_topics_become_needs_without_learner_data():
    requests = derived_needs.from_exam_graded("evt-1", GRADED)
    assert [(need["topic"], need["urgency"], source, reference) for need, source, _, reference in requests] == [
        ("Filters", "high", "exam_results", "evt-1:Filters"), ("Exports", "high", "exam_results", "evt-1:Exports")]
    assert all("learner-9" not in evidence for _, _, evidence, _ in requests)
    assert derived_needs.from_exam_graded("evt-2", dict(GRADED, passed=True))[0][0]["urgency"] == "medium"


def test_improvement_actions_evaluations_and_expiring_certificates_become_needs():
    action, = derived_needs.from_improvement_action("evt-3", {"action_id": "act-1", "topic": "Dashboards",
                                                              "description": "more exercises", "urgency": "high"})
    assert (action[0]["topic"], action[0]["urgency"], action[1]) == ("Dashboards", "high", "improvement_action")
    evaluation = derived_needs.from_evaluation("evt-4", {"evaluation_id": "ev-1", "scope": "course",
                                                         "course": "Alerting basics", "weak_topics": ["Alerts"]})
    assert [(need["topic"], source, evidence) for need, source, evidence, _ in evaluation] == [
        ("Alerts", "evaluation", "evaluation ev-1 (course Alerting basics) found Alerts weak")]
    soon, = derived_needs.from_certificate_expiring("evt-5", {"certificate_id": "c-1", "topic": "Safety",
                                                              "expires_at": TODAY + timedelta(days=20)}, TODAY)
    later, = derived_needs.from_certificate_expiring("evt-6", {"certificate_id": "c-2", "topic": "Safety",
                                                               "expires_at": datetime(2026, 9, 1, tzinfo=timezone.utc)},
                                                     TODAY)
    assert soon[0]["topic"] == "Recertification: Safety" and soon[0]["urgency"] == "high"
    assert later[0]["urgency"] == "medium"


def test_questionnaire_rows_become_needs():
    rows = parse("Topic,Product,User type,flags,urgency,comment,respondent\n"
                 "Report builder,Analytics,administrator,compliance; ethics,high,Monthly reports are hard,R-1\n"
                 "\n"
                 "Exports,Analytics,,,,,\n")
    (first_row, first, evidence), (second_row, second, _) = rows
    assert (first_row, second_row) == (2, 4)
    assert first["audience"] == {"user_type": "administrator", "industry": None, "level": None}
    assert first["flags"] == ["compliance", "ethics"] and first["urgency"] == "high"
    assert evidence == "questionnaire answer from R-1: Monthly reports are hard"
    assert second["urgency"] == "medium" and second["tier"] == "basic_operation"


def test_questionnaire_with_bad_rows_is_refused_with_every_bad_row():
    with pytest.raises(InvalidInput) as refused:
        parse("topic,urgency,tier\nGood,high,basic_operation\n,low,\nAlso bad,whenever,\nToo,many,values,here\n")
    rows = refused.value.details["rows"]
    assert set(rows) == {"3", "4", "5"}
    assert "topic" in rows["3"] and "urgency" in rows["4"] and "_row" in rows["5"]


def test_questionnaire_without_topic_column_is_refused():
    with pytest.raises(InvalidInput, match="topic"):
        parse("subject,urgency\nX,high\n")


def test_coverage_separates_addressed_and_open_needs():
    now = datetime(2026, 3, 2, tzinfo=timezone.utc)

    def need(need_id, topic, requesters):
        return {"_id": need_id, "topic": topic, "product": None, "requesters": requesters, "urgency_level": 2,
                "last_recorded_at": now}

    needs = [need("n-1", "Report builder", 5), need("n-2", "Exports", 2), need("n-3", "Alerts", 7)]
    plan = {"_id": "plan-1", "items": [
        dict(item(topics=["report BUILDER"]), item_id="i-1"),
        dict(item(linked_needs=["n-2", "n-9"]), item_id="i-2")]}
    report = plan_coverage(plan, needs, now)
    assert [(entry["need_id"], entry["item_ids"], entry["matched_by"]) for entry in report["covered"]] == [
        ("n-1", ["i-1"], "topic"), ("n-2", ["i-2"], "link")]
    assert [entry["need_id"] for entry in report["open"]] == ["n-3"]
    assert report["missing_links"] == ["n-9"]
    assert (report["requesters_covered"], report["requesters_open"]) == (7, 7)


def test_published_items_carry_utc_sessions_and_the_announcement_lists_them():
    plan_item = dict(scheduled("2026-04-14T09:00", tz="Europe/Berlin", minutes=60, quarter=2, topics=["Reports"]),
                     item_id="i-1")
    published = published_item(plan_item)
    assert published["schedule"]["sessions"] == [{"starts_at": datetime(2026, 4, 14, 7, tzinfo=timezone.utc),
                                                  "ends_at": datetime(2026, 4, 14, 8, tzinfo=timezone.utc)}]
    plan = {"_id": "plan-1", "year": 2026, "title": "Plan", "revision": 2, "goals": ["Fewer tickets"],
            "items": [plan_item, dict(item(quarter=3), item_id="i-2")],
            "publication": {"note": "Hello", "recipients": {"email": ["a@example.com"]}},
            "history": [{"action": "created", "revision": 1}]}
    message = announcement(plan)
    assert message.id == "plan-1-r2" and message.recipients == {"email": ["a@example.com"]}
    assert "2026-04-14 09:00 (Europe/Berlin)" in message.text and ": Q3" in message.text
    assert message.text.startswith("Hello")
    assert message.subject == "Training plan 2026: Plan"

    # Revision 1 had been published: this announcement is an update.
    plan["history"].append({"action": "published", "revision": 1})
    assert announcement(plan).subject == "Training plan 2026: Plan (updated)"
