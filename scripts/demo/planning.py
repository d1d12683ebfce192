"""Demo needs backlog (several sources, duplicates merged, a questionnaire import) and a plan for
the current year that is rejected, revised, approved and published."""
import sys
from datetime import date, timedelta

import requests

from gateway.tokens import mint

YEAR = date.today().year
ADMINS = {"user_type": "administrator", "level": "beginner"}
POWER_USERS = {"user_type": "power user", "level": "advanced"}
RETAIL = {"user_type": "store manager", "industry": "retail"}

NEEDS = (
    ("sales", "Platform basics", "Platform", ADMINS, "high", "New customers' admins ask for a guided start."),
    ("customer_service", "platform basics", "Platform", ADMINS, "high", "40% of 'how do I' tickets are from new admins."),
    ("online_feedback", "Platform Basics", "Platform", ADMINS, "medium", "Forum: 'where do I add users?'"),
    ("marketing", "Advanced reporting", "Analytics", POWER_USERS, "medium", "Campaign leads want report recipes."),
    ("interview", "Advanced reporting", "Analytics", POWER_USERS, "high", "Key account interview: custom KPIs."),
    ("industry_trend", "Retail analytics use cases", "Analytics", RETAIL, "medium", "Retail moves to daily KPIs."),
    ("product_roadmap", "New dashboard designer", "Analytics", POWER_USERS, "medium", "Designer ships next spring."),
    ("customer_service", "Data privacy settings", "Platform", ADMINS, "high", "Auditors ask customers for proof."),
)
QUESTIONNAIRE = (
    "topic,product,user_type,level,urgency,comment,respondent\n"
    "Platform basics,Platform,administrator,beginner,high,I learnt everything by trial and error,R-014\n"
    "Advanced reporting,Analytics,power user,advanced,medium,Formulas in reports,R-022\n"
    "Mobile app,Platform,field worker,,low,Offline mode is unclear,R-031\n"
)


def load(client):
    recorded = {}
    for source, topic, product, audience, urgency, evidence in NEEDS:
        need = client.post("/needs", {"source": source, "topic": topic, "product": product, "audience": audience,
                                      "urgency": urgency, "evidence": evidence,
                                      "flags": ["compliance"] if "privacy" in topic.lower() else [],
                                      "expected_quarter": f"{YEAR + 1}-Q2" if source == "product_roadmap" else None},
                           "specialist")
        recorded[topic.lower()] = need["id"]
    import_questionnaire(client)

    items = [
        {"title": "Platform basics for administrators", "format": "online", "audience": "new administrators",
         "tier": "basic_operation", "topics": ["Platform basics"], "capacity": 40, "trainers_wanted": 1,
         "objectives": ["Set up users and roles", "Find help in the product"], "important": True,
         "linked_needs": [recorded["platform basics"]], "schedule": sessions(21, 60 * 3)},
        {"title": "Data privacy settings", "format": "group_discussion", "audience": "administrators",
         "tier": "basic_operation", "topics": ["Data privacy settings"], "capacity": 20, "trainers_wanted": 1,
         "linked_needs": [recorded["data privacy settings"]], "schedule": sessions(28, 90)},
        {"title": "Advanced reporting workshop", "format": "classroom", "audience": "power users",
         "tier": "advanced_features", "topics": ["Advanced reporting"], "capacity": 16, "trainers_wanted": 2,
         "quarter": 4, "audience_working_hours": {"start": "09:00", "end": "17:00"}},
    ]
    body = {"year": YEAR, "title": f"Customer training plan {YEAR}",
            "goals": ["Every new customer administrator trained within 90 days",
                      "Cut 'how do I' support tickets by 20%"], "items": items[:2]}
    plan = client.post("/plans", body, "specialist")
    client.post(f"/plans/{plan['id']}/submit", {}, "specialist")
    client.post(f"/plans/{plan['id']}/reject", {"comment": "Power users are missing: add the reporting workshop."},
                "manager")
    client.post(f"/plans/{plan['id']}/revise", {
        "title": body["title"], "goals": body["goals"], "comment": "Reporting workshop added",
        "items": [dict(item, item_id=kept["item_id"]) for item, kept in zip(items, plan["items"])] + items[2:]},
        "specialist")
    client.post(f"/plans/{plan['id']}/submit", {}, "specialist")
    client.post(f"/plans/{plan['id']}/approve", {"comment": "Approved for the year."}, "manager")
    client.shared["plan"] = client.post(f"/plans/{plan['id']}/publish", {
        "channels": ["notice", "email", "sms", "im"], "note": "Sign up through your customer success manager.",
        "email_to": ["ada.lovelace@example.com", "grace.hopper@example.com", "alan.turing@example.com"],
        "sms_to": ["+44 20 7946 0000"]}, "supervisor")


def sessions(days_ahead, minutes):
    """A session `days_ahead` from today at 09:00 UTC, if that is still this year (else: no dates yet)."""
    day = date.today() + timedelta(days=days_ahead)
    if day.year != YEAR:
        return None
    return {"session_starts": [f"{day.isoformat()}T09:00"], "duration_minutes": minutes, "timezone": "UTC"}


def import_questionnaire(client):
    token = mint(["specialist"], "demo.specialist")
    response = requests.post(f"{client.gateway}/api/v1/needs/import", data=QUESTIONNAIRE.encode(), timeout=10,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    if not response.ok:
        sys.exit(f"demo data: questionnaire import failed: {response.status_code} {response.text}")
