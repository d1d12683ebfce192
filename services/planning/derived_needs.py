"""Needs that other services' events reveal, as plain functions of the event data.

Each returns a list of (need, source, evidence, reference) for needs.record_need. References
derive from the event id, so a replayed event counts once. Evidence names no learner: the
backlog is read by all planning staff and needs no personal data.

The events' data is defined in shared/catalogue/ (assessment.py and feedback.py).
"""
from datetime import datetime

NO_AUDIENCE = {"user_type": None, "industry": None, "level": None}
RECERTIFICATION_URGENT_DAYS = 30


def need(topic, urgency, product=None, tier="basic_operation", audience=None):
    return {"topic": topic, "product": product, "audience": dict(audience or NO_AUDIENCE), "tier": tier,
            "flags": [], "urgency": urgency, "expected_quarter": None}


def from_exam_graded(event_id, data):
    """Each weak topic of a graded exam asks for tutoring on it; a failed exam makes it urgent."""
    urgency = "medium" if data["passed"] else "high"
    return [(need(topic, urgency), "exam_results",
             f"exam {data['exam_id']} (session {data.get('session_id')}): weak in {topic}, "
             f"score {data['score']} against pass mark {data['pass_score']}", f"{event_id}:{topic}")
            for topic in dict.fromkeys(data.get("weak_topics") or [])]


def from_improvement_action(event_id, data):
    """An improvement action asks for training on its topic, as urgent as the action says."""
    return [(need(data["topic"], data.get("urgency") or "medium", data.get("product")), "improvement_action",
             f"improvement action {data['action_id']}: {data['description']}", event_id)]


def from_evaluation(event_id, data):
    """Each topic an effect evaluation report found weak asks for more training on it."""
    subject = data.get("course") or data.get("session_id") or data.get("plan_id") or ""
    return [(need(topic, "medium"), "evaluation",
             f"evaluation {data['evaluation_id']} ({data['scope']} {subject}) found {topic} weak",
             f"{event_id}:{topic}")
            for topic in dict.fromkeys(data.get("weak_topics") or [])]


def from_certificate_expiring(event_id, data, today):
    """An expiring certificate asks for recertification; urgent within RECERTIFICATION_URGENT_DAYS."""
    expires = data["expires_at"]
    expires_on = expires.date() if isinstance(expires, datetime) else expires
    urgency = "high" if (expires_on - today).days <= RECERTIFICATION_URGENT_DAYS else "medium"
    return [(need(f"Recertification: {data['topic']}", urgency, data.get("product")), "recertification",
             f"certificate {data['certificate_id']} expires on {expires_on.isoformat()}", event_id)]
