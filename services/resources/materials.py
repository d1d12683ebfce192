"""Teaching materials and their lifecycle, with a history of who did what:

    draft → in_review (named expert reviewers) → approved (every reviewer approved) → published
          ↖ rejected (any reviewer, with a comment) ↙
    published → revise (a new version, back in draft; the published one stays in use) → … → published
    draft, approved or published → retired

Publishing gives a material its catalogue number, MAT-<year>-<nnnn> (the sequence counting from
0001 each year), and a category; the first publishing announces MaterialPublished.v1, each later
one MaterialRevised.v1. Every published version stays readable in `versions`.

A material is flagged for revision when it has not been revised for a configured time, when an
evaluation finds its topics weak, or when a product it covers has a new release; publishing a
new version clears the flags.
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.store import fetch, new_id, next_in_sequence, page
from shared.transitions import StateMachine

from services.resources.contract import (APPROVE, APPROVED, DRAFT, FLAG_AGE, FLAG_EVALUATION, FLAG_PRODUCT_RELEASE,
                                         IN_REVIEW, PUBLISHED, REJECT, RETIRED)
from services.resources.store import MATERIALS

TRANSITIONS = {
    "edit": ((DRAFT,), DRAFT),
    "submit_for_review": ((DRAFT,), IN_REVIEW),
    "approve": ((IN_REVIEW,), APPROVED),
    "reject": ((IN_REVIEW,), DRAFT),
    "publish": ((APPROVED,), PUBLISHED),
    "revise": ((PUBLISHED,), DRAFT),
    "retire": ((DRAFT, APPROVED, PUBLISHED), RETIRED),
}
MATERIAL_STATES = StateMachine(MATERIALS, "material", TRANSITIONS)
EDITORS = ("supervisor", "specialist", "admin")
CONTENT_FIELDS = ("title", "summary", "topics", "products", "format", "language")


def catalogue_number(year, sequence):
    return f"MAT-{year}-{sequence:04d}"


def keys(values):
    """Case-insensitive match keys of topics or products."""
    return sorted({value.casefold() for value in values})


def content(fields):
    changes = {key: fields[key] for key in CONTENT_FIELDS + ("category",) if key in fields}
    if "topics" in changes:
        changes["topic_keys"] = keys(changes["topics"])
    if "products" in changes:
        changes["product_keys"] = keys(changes["products"])
    return changes


def history(action, actor, version, comment=None):
    return {"action": action, "by": actor["id"], "version": version, "comment": comment}


def create_material(db, material, actor, now):
    doc = dict(content(material), _id=new_id("material"), version=1, published_version=None,
               status=DRAFT, file=None, author=actor["id"], review=None, reviewers=[], comments=[], versions=[],
               revision_log=[], review_flags=[], retirement=None, change_summary=None, last_published_at=None,
               history=[dict(history("created", actor, 1), at=now)], created_at=now, updated_at=now, outbox=[])
    db[MATERIALS].insert_one(doc)
    return doc


def get_material(db, material_id):
    return fetch(db[MATERIALS], material_id, "material")


def list_materials(db, status=None, category=None, topic=None, product=None, review_due=None, reviewer=None,
                   limit=20, offset=0):
    query = {key: value for key, value in (("status", status), ("category", category)) if value}
    if topic:
        query["topic_keys"] = topic.casefold()
    if product:
        query["product_keys"] = product.casefold()
    if review_due is not None:
        query["review_flags"] = {"$ne": []} if review_due else []
    if reviewer:
        query.update({"status": IN_REVIEW, "reviewers": {"$elemMatch": {"id": reviewer, "decision": None}}})
    return page(db[MATERIALS], query, [("number", 1), ("created_at", 1), ("_id", 1)], limit, offset)


def require_author_or_editor(material, actor, action):
    if actor["id"] != material["author"] and not set(actor["roles"]) & set(EDITORS):
        raise Forbidden(f"only the material's author or resource staff {action} it", {"author": material["author"]})
    return material


def edit_draft(db, material_id, changes, actor, now):
    material = require_author_or_editor(get_material(db, material_id), actor, "edit")
    return MATERIAL_STATES.apply(db, material, "edit", changes=content(changes), guard={"version": material["version"]},
                                 history=history("edited", actor, material["version"]), now=now)


def submit_for_review(db, material_id, request, actor, now):
    material = require_author_or_editor(get_material(db, material_id), actor, "submit")
    reviewers = list(dict.fromkeys(request["reviewers"]))
    if material["author"] in reviewers:
        raise InvalidInput("the author cannot review their own material", {"fields": {"reviewers": [
            f"{material['author']} wrote the material"]}})
    if material["file"] is None:
        raise Conflict("attach the material's file before asking for review", {"status": material["status"]})
    review_round = (material["review"] or {}).get("round", 0) + 1
    review = {"round": review_round, "version": material["version"], "requested_by": actor["id"], "requested_at": now,
              "note": request["note"], "outcome": None}
    panel = [{"id": reviewer, "decision": None, "comment": None, "decided_at": None} for reviewer in reviewers]
    return MATERIAL_STATES.apply(db, material, "submit_for_review", changes={"review": review, "reviewers": panel},
                                 guard={"version": material["version"]},
                                 history=history("submitted_for_review", actor, material["version"], request["note"]),
                                 now=now)


def decide_review(db, material_id, decision, actor, now):
    """A named reviewer approves or rejects. A rejection sends the material back to draft at once;
    the last approval makes it approved."""
    material = MATERIAL_STATES.require(get_material(db, material_id), decision["decision"])
    seat = next((index for index, entry in enumerate(material["reviewers"]) if entry["id"] == actor["id"]), None)
    if seat is None:
        raise Forbidden("only the material's named reviewers decide on it",
                        {"reviewers": [entry["id"] for entry in material["reviewers"]]})
    if material["reviewers"][seat]["decision"] is not None:
        raise Conflict(f"you have already decided ({material['reviewers'][seat]['decision']}) on this review",
                       {"status": material["status"], "decision": material["reviewers"][seat]["decision"]})
    # The reviewer's place in the panel is addressed by index (the same in every store), guarded
    # by the round and by that place still being theirs and undecided.
    recorded = {f"reviewers.{seat}.decision": decision["decision"], f"reviewers.{seat}.comment": decision["comment"],
                f"reviewers.{seat}.decided_at": now}
    guard = {"review.round": material["review"]["round"], f"reviewers.{seat}.id": actor["id"],
             f"reviewers.{seat}.decision": None}
    entry = history("approved" if decision["decision"] == APPROVE else "rejected", actor, material["version"],
                    decision["comment"] or None)
    if decision["decision"] == REJECT:
        return MATERIAL_STATES.apply(db, material, "reject", changes=dict(recorded, **{"review.outcome": "rejected"}),
                                     guard=guard, history=entry, now=now)
    updated = db[MATERIALS].find_one_and_update(
        {"_id": material_id, "status": IN_REVIEW, **guard},
        {"$set": dict(recorded, updated_at=now), "$push": {"history": dict(entry, at=now)}},
        return_document=ReturnDocument.AFTER)
    if updated is None:
        raise MATERIAL_STATES.conflict(get_material(db, material_id), "approve")
    return approve_if_unanimous(db, updated, now)


def approve_if_unanimous(db, material, now):
    """Approved once no named reviewer is left without approving. Every approver tries this after
    recording their own approval, so of two last approvers at once, one finds it unanimous."""
    approved = db[MATERIALS].find_one_and_update(
        {"_id": material["_id"], "status": IN_REVIEW, "review.round": material["review"]["round"],
         "reviewers": {"$not": {"$elemMatch": {"decision": {"$ne": APPROVE}}}}},
        {"$set": {"status": APPROVED, "review.outcome": "approved", "updated_at": now}},
        return_document=ReturnDocument.AFTER)
    return approved or get_material(db, material["_id"])


def add_comment(db, material_id, text, actor, now):
    material = get_material(db, material_id)
    if material["status"] == RETIRED:
        raise MATERIAL_STATES.conflict(material, "comment on")
    return db[MATERIALS].find_one_and_update(
        {"_id": material_id, "status": {"$ne": RETIRED}},
        {"$push": {"comments": {"by": actor["id"], "text": text, "version": material["version"], "at": now}},
         "$set": {"updated_at": now}}, return_document=ReturnDocument.AFTER) or get_material(db, material_id)


def publish(db, material_id, request, actor, new_event, now):
    """approved → published: a number at the first publishing, a category, the version kept in
    `versions`; written together with MaterialPublished.v1 (first version) or MaterialRevised.v1."""
    material = MATERIAL_STATES.require(get_material(db, material_id), "publish")
    category = request["category"] or material["category"]
    if not category:
        raise InvalidInput("a published material has a category", {"fields": {"category": ["required"]}})
    number = material.get("number") or catalogue_number(now.year, next_in_sequence(db, f"material-{now.year}"))
    version = material["version"]
    snapshot = {key: material[key] for key in CONTENT_FIELDS + ("file", "change_summary")}
    snapshot.update(version=version, category=category, published_by=actor["id"], published_at=now)
    if material["published_version"] is None:
        event = new_event("MaterialPublished.v1", material_id, {
            "material_id": material_id, "number": number, "title": material["title"], "category": category,
            "version": version, "published_at": now})
    else:
        event = new_event("MaterialRevised.v1", material_id, {
            "material_id": material_id, "number": number, "title": material["title"], "version": version,
            "previous_version": material["published_version"], "change_summary": material["change_summary"],
            "revised_at": now})
    try:
        return MATERIAL_STATES.apply(
            db, material, "publish", guard={"version": version}, events=[event], now=now,
            changes={"number": number, "category": category, "published_version": version, "review_flags": [],
                     "last_published_at": now},
            push={"versions": snapshot}, history=history("published", actor, version))
    except DuplicateKeyError:  # only if the sequence were reset by hand: never hand a number out twice
        raise Conflict(f"catalogue number {number} is taken", {"status": material["status"], "number": number}) \
            from None


def revise(db, material_id, revision, actor, now):
    """Start the next version of a published material as a draft; the published one stays in use."""
    material = require_author_or_editor(get_material(db, material_id), actor, "revise")
    version = material["version"] + 1
    return MATERIAL_STATES.apply(
        db, material, "revise", guard={"version": material["version"]}, now=now,
        changes=dict(content(revision), version=version, review=None, reviewers=[],
                     change_summary=revision["change_summary"]),
        push={"revision_log": {"version": version, "change_summary": revision["change_summary"], "by": actor["id"],
                               "at": now}},
        history=history("revised", actor, version, revision["change_summary"]))


def retire(db, material_id, reason, actor, now):
    material = get_material(db, material_id)
    return MATERIAL_STATES.apply(db, material, "retire", now=now,
                                 changes={"retirement": {"reason": reason, "by": actor["id"], "at": now}},
                                 history=history("retired", actor, material["version"], reason))


def get_version(db, material_id, version):
    """A published version as it was, or the version being worked on."""
    material = get_material(db, material_id)
    for published in material["versions"]:
        if published["version"] == version:
            return published
    if version == material["version"]:
        return dict({key: material[key] for key in CONTENT_FIELDS + ("file", "category", "change_summary")},
                    version=version, published_by=None, published_at=None)
    raise NotFound(f"material {material_id} has no version {version}", {"material_id": material_id, "version": version})


# ---- review flags --------------------------------------------------------------------------------

def flag(db, query, reason, reference, detail, now):
    """Flag the published materials matching `query` for revision, once per reference; returns their ids."""
    query = dict(query, status=PUBLISHED, **{"review_flags.reference": {"$ne": reference}})
    ids = [doc["_id"] for doc in db[MATERIALS].find(query, {"_id": 1})]
    if ids:
        db[MATERIALS].update_many(dict(query, _id={"$in": ids}), {"$push": {"review_flags": {
            "reason": reason, "reference": reference, "detail": detail, "flagged_at": now}}})
    return ids


def flag_unrevised(db, older_than, now):
    """Published materials whose current version was published before `older_than` (flagged once:
    publishing a new version clears the flag)."""
    return flag(db, {"last_published_at": {"$lt": older_than}}, FLAG_AGE, FLAG_AGE,
                f"not revised since before {older_than.date().isoformat()}", now)


def flag_weak_topics(db, evaluation_id, topics, now):
    if not topics:
        return []
    return flag(db, {"topic_keys": {"$in": keys(topics)}}, FLAG_EVALUATION, f"evaluation:{evaluation_id}",
                f"evaluation {evaluation_id} found these topics weak: {', '.join(topics)}", now)


def flag_product_release(db, release, now):
    detail = f"{release['product']} {release['release']} was released" + (
        f": {release['note']}" if release["note"] else "")
    return flag(db, {"product_keys": release["product"].casefold()}, FLAG_PRODUCT_RELEASE,
                f"release:{release['product'].casefold()}:{release['release']}", detail, now)
