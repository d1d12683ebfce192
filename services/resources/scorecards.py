"""Trainer scorecards, from what other services report:

  * SessionCompleted.v1: sessions and hours delivered, and whether each ran as planned (at the
    time it was first booked, by the trainer booked, never rescheduled);
  * FeedbackSubmitted.v2: the trainer section's score of each response naming the trainer;
  * ExamGraded.v1: whether the trainer's learners passed (session → trainers through bookings).

Each fact is one document keyed by its natural id (session, response, submission), written with
$setOnInsert, so a redelivered event changes nothing.
"""
from datetime import datetime, timezone

from services.resources.contract import PERIOD, RESERVED, TRAINER
from services.resources.store import BOOKINGS, TRAINER_ACTIVITY

SESSION, RATING, RESULT = "session", "rating", "result"
# Thresholds behind the suggested outcome (a person decides; these only point the way).
REWARD = {"on_time_rate": 0.95, "average_rating": 4.5, "pass_rate": 0.85, "sessions": 3}
DEVELOP = {"on_time_rate": 0.8, "average_rating": 3.5, "pass_rate": 0.7}
REMOVE = {"average_rating": 2.5, "pass_rate": 0.5, "ratings": 5}


def record_once(db, doc):
    db[TRAINER_ACTIVITY].update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)


def session_delivered(db, session):
    """A completed session counts for each of its trainers; returns its hours."""
    hours = round((session["ends_at"] - session["starts_at"]).total_seconds() / 3600, 2)
    booking = db[BOOKINGS].find_one({"_id": session["session_id"]})
    booked = booking is not None  # a session never booked here has no plan to measure against
    as_planned = []
    on_booked_time = booked and (booking["starts_at"], booking["ends_at"]) == (session["starts_at"], session["ends_at"])
    if on_booked_time and booking["status"] == RESERVED and booking["sequence"] == 0:
        held = {item["resource_id"] for item in booking["reserved"] if item["kind"] == TRAINER}
        as_planned = [trainer for trainer in session["trainer_ids"] if trainer in held]
    record_once(db, {"_id": f"{SESSION}:{session['session_id']}", "kind": SESSION,
                     "session_id": session["session_id"], "trainer_ids": session["trainer_ids"], "hours": hours,
                     "booked": booked, "as_planned": as_planned, "at": session["starts_at"]})
    return hours


def feedback_received(db, response):
    score = response["section_scores"].get("trainer")
    if score is None or not response["trainer_ids"]:
        return
    record_once(db, {"_id": f"{RATING}:{response['response_id']}", "kind": RATING,
                     "session_id": response["session_id"], "trainer_ids": response["trainer_ids"], "score": score,
                     "at": response["submitted_at"]})


def result_released(db, result):
    """A learner's result counts for the trainers of its session (a pre-test measures no teaching)."""
    if result["pre_test"] or not result["session_id"]:
        return
    trainer_ids = trainers_of(db, result["session_id"])
    if trainer_ids:
        record_once(db, {"_id": f"{RESULT}:{result['submission_id']}", "kind": RESULT,
                         "session_id": result["session_id"], "trainer_ids": trainer_ids,
                         "learner_id": result["learner_id"], "passed": result["passed"], "at": result["graded_at"]})


def trainers_of(db, session_id):
    """Who taught the session: as it was delivered, else as it was booked."""
    delivered = db[TRAINER_ACTIVITY].find_one({"_id": f"{SESSION}:{session_id}"})
    if delivered:
        return delivered["trainer_ids"]
    booking = db[BOOKINGS].find_one({"_id": session_id})
    return booking["trainer_ids"] if booking else []


def scorecard(db, trainer_id, period):
    start, end = period_bounds(period)
    facts = list(db[TRAINER_ACTIVITY].find({"trainer_ids": trainer_id, "at": {"$gte": start, "$lt": end}}))
    return summarise(trainer_id, period, facts)


def summarise(trainer_id, period, facts):
    sessions = [fact for fact in facts if fact["kind"] == SESSION]
    booked = [fact for fact in sessions if fact["booked"]]
    as_planned = [fact for fact in booked if trainer_id in fact["as_planned"]]
    ratings = [fact["score"] for fact in facts if fact["kind"] == RATING]
    latest = {}
    for fact in sorted((fact for fact in facts if fact["kind"] == RESULT), key=lambda fact: fact["at"]):
        latest[(fact["session_id"], fact["learner_id"])] = fact["passed"]
    card = {"trainer_id": trainer_id, "period": period, "sessions_delivered": len(sessions),
            "hours_delivered": round(sum(fact["hours"] for fact in sessions), 2),
            "sessions_as_planned": len(as_planned), "on_time_rate": share(len(as_planned), len(booked)),
            "ratings": len(ratings), "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "learners_graded": len(latest), "pass_rate": share(sum(latest.values()), len(latest))}
    card["suggested_outcome"] = suggested_outcome(card)
    return card


def suggested_outcome(card):
    rating, passing, on_time = card["average_rating"], card["pass_rate"], card["on_time_rate"]
    if (rating is not None and card["ratings"] >= REMOVE["ratings"] and rating < REMOVE["average_rating"]) \
            or (passing is not None and passing < REMOVE["pass_rate"]):
        return "remove"
    if any(value is not None and value < DEVELOP[name]
           for name, value in (("on_time_rate", on_time), ("average_rating", rating), ("pass_rate", passing))):
        return "development_plan"
    if card["sessions_delivered"] >= REWARD["sessions"] and all(
            value is not None and value >= REWARD[name]
            for name, value in (("on_time_rate", on_time), ("average_rating", rating), ("pass_rate", passing))):
        return "reward"
    return "keep"


def share(part, whole):
    return round(part / whole, 3) if whole else None


def period_bounds(period):
    """[start, end) in UTC of 2026, 2026-H2 or 2026-Q3."""
    match = PERIOD.match(period)
    year, part = int(match["year"]), match["part"]
    first, months = (1, 12) if part is None else ((int(part[1]) - 1) * 6 + 1, 6) if part[0] == "H" \
        else ((int(part[1]) - 1) * 3 + 1, 3)
    start = datetime(year, first, 1, tzinfo=timezone.utc)
    end_month = first + months
    end = datetime(year + (end_month > 12), (end_month - 1) % 12 + 1, 1, tzinfo=timezone.utc)
    return start, end


def pseudonymise_learner(db, learner_id, pseudonym):
    db[TRAINER_ACTIVITY].update_many({"learner_id": learner_id}, {"$set": {"learner_id": pseudonym}})
