"""Kirkpatrick level 2 (learning) from assessment's ExamGraded.v1: scores, pass rate, and the
gain from a learner's pre-test to their later result where both exist.

Results are kept by submission id, so a redelivered or replayed event changes nothing.
"""
from services.feedback.statistics import mean
from services.feedback.store import EXAM_RESULTS

# A topic is weak when at least this share of the learners were weak in it.
WEAK_TOPIC_SHARE = 1 / 3


def record_exam_result(db, result):
    db[EXAM_RESULTS].update_one({"_id": result["submission_id"]}, {"$set": {
        "exam_id": result["exam_id"], "learner_id": result["learner_id"], "session_id": result.get("session_id"),
        "score": result["score"], "passed": result["passed"], "pre_test": result.get("pre_test", False),
        "weak_topics": result["weak_topics"], "graded_at": result["graded_at"]}}, upsert=True)


def results_of_sessions(db, session_ids):
    return list(db[EXAM_RESULTS].find({"session_id": {"$in": list(session_ids)}}))


def learning_level(results):
    """Each learner's latest pre-test and latest other result; means, pass rate, gains, weak topics."""
    pre, post = {}, {}
    for result in sorted(results, key=lambda result: result["graded_at"]):
        (pre if result["pre_test"] else post)[result["learner_id"]] = result
    pairs = [(pre[learner]["score"], post[learner]["score"]) for learner in post if learner in pre]
    weak = {}
    for result in post.values():
        for topic in set(result["weak_topics"]):
            weak[topic] = weak.get(topic, 0) + 1
    weak_topics = sorted((topic for topic, count in weak.items() if count >= WEAK_TOPIC_SHARE * len(post)),
                         key=lambda topic: (-weak[topic], topic))
    return {"results": len(results), "learners": len(post),
            "mean_score": mean(result["score"] for result in post.values()),
            "pass_rate": round(sum(result["passed"] for result in post.values()) / len(post), 3) if post else None,
            "pairs": len(pairs), "mean_pre": mean(before for before, _ in pairs),
            "mean_post": mean(after for _, after in pairs),
            "mean_gain": mean(after - before for before, after in pairs), "weak_topics": weak_topics}
