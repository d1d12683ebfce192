"""Questionnaire templates: sections of items; the standard ones ship (services/feedback/standard.py).

A template never changes once written: a survey keeps a copy of the one it was opened with,
and a different questionnaire is a new template.
"""
from shared.store import fetch, new_id, page

from services.feedback.scoring import SCALES
from services.feedback.store import QUESTIONNAIRES


def create_questionnaire(db, request, actor, now):
    sections = [dict(section, items=[with_required(item) for item in section["items"]])
                for section in request["sections"]]
    doc = {"_id": new_id("questionnaire"), "title": request["title"], "description": request["description"],
           "purpose": request["purpose"], "standard": False, "sections": sections,
           "created_by": actor["id"], "created_at": now}
    db[QUESTIONNAIRES].insert_one(doc)
    return doc


def with_required(item):
    """Scored items are required unless said otherwise; choices and open questions are not."""
    required = item["type"] in SCALES if item.get("required") is None else item["required"]
    return dict(item, required=required)


def get_questionnaire(db, questionnaire_id):
    return fetch(db[QUESTIONNAIRES], questionnaire_id, "questionnaire")


def list_questionnaires(db, purpose=None, limit=20, offset=0):
    query = {"purpose": purpose} if purpose else {}
    return page(db[QUESTIONNAIRES], query, [("standard", -1), ("created_at", -1), ("_id", 1)], limit, offset)


def snapshot(questionnaire):
    """What a survey keeps of its questionnaire."""
    return {"id": questionnaire["_id"], "title": questionnaire["title"], "sections": questionnaire["sections"]}
