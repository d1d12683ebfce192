"""Materials through resources' real RPC and handlers: review, numbering, revisions, files,
the lending register and review flags."""
import base64
import hashlib
from datetime import date, timedelta

import pytest

from shared.errors import Conflict, Forbidden, InvalidInput
from shared.events import make_envelope, utc_now
from shared.notifications import notifier_from_env
from shared.testing import deliver, rpc_to, run_together

from services.resources import loan_reminders, material_files, materials
from services.resources.service import ResourcesService
from services.resources.tests.conftest import SPECIALIST, SUPERVISOR, trainer

AUTHOR = {"id": "tom", "roles": ["trainer"]}
EXPERTS = [{"id": "eve", "roles": ["specialist"]}, {"id": "ian", "roles": ["trainer"]}]
MATERIAL = {"title": "Reporting basics", "topics": ["Reporting"], "products": ["Analytics"], "format": "slides"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(data, filename="slides.pdf", content_type="application/pdf"):
    return {"filename": filename, "content_type": content_type, "content_base64": base64.b64encode(data).decode()}


def reviewed_draft(as_):
    draft = as_(AUTHOR).create_material(MATERIAL)
    as_(AUTHOR).attach_material_file(draft["id"], upload(PDF))
    as_(AUTHOR).request_review(draft["id"], {"reviewers": [expert["id"] for expert in EXPERTS]})
    return draft


def approved(as_):
    draft = reviewed_draft(as_)
    for expert in EXPERTS:
        as_(expert).decide_review(draft["id"], {"decision": "approve"})
    return draft


def this_year(sequence):
    return f"MAT-{utc_now().year}-{sequence:04d}"


def test_review_by_named_experts_then_publishing_with_a_number(as_, resources, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    draft = reviewed_draft(as_)
    with pytest.raises(Forbidden):
        as_(SPECIALIST).decide_review(draft["id"], {"decision": "approve"})  # not a named reviewer
    with pytest.raises(InvalidInput):
        as_(EXPERTS[0]).decide_review(draft["id"], {"decision": "reject"})  # a rejection says why
    as_(SPECIALIST).comment_on_material(draft["id"], {"text": "Slide 4 needs the new menu"})
    first = as_(EXPERTS[0]).decide_review(draft["id"], {"decision": "approve", "comment": "accurate"})
    assert first["status"] == "in_review"
    with pytest.raises(Conflict):
        as_(EXPERTS[0]).decide_review(draft["id"], {"decision": "approve"})  # decided already
    with pytest.raises(Conflict):
        as_(SUPERVISOR).publish_material(draft["id"], {"category": "reporting"})  # not approved yet
    assert as_(EXPERTS[1]).decide_review(draft["id"], {"decision": "approve"})["status"] == "approved"
    with pytest.raises(InvalidInput):
        as_(SUPERVISOR).publish_material(draft["id"], {})  # no category yet

    published = as_(SUPERVISOR).publish_material(draft["id"], {"category": "reporting"})
    envelope = events.wait_for("MaterialPublished.v1")
    assert (published["status"], published["number"], published["published_version"]) == (
        "published", this_year(1), 1)
    assert envelope["data"]["number"] == this_year(1) and envelope["data"]["category"] == "reporting"
    assert [entry["action"] for entry in published["history"]] == [
        "created", "file_attached", "submitted_for_review", "approved", "approved", "published"]
    assert published["comments"][0]["text"] == "Slide 4 needs the new menu"


def test_a_rejection_sends_the_material_back_and_the_next_round_starts_afresh(as_):
    draft = reviewed_draft(as_)
    rejected = as_(EXPERTS[1]).decide_review(draft["id"], {"decision": "reject", "comment": "outdated screenshots"})
    assert (rejected["status"], rejected["review"]["outcome"]) == ("draft", "rejected")
    with pytest.raises(Conflict):
        as_(EXPERTS[0]).decide_review(draft["id"], {"decision": "approve"})
    with pytest.raises(InvalidInput):
        as_(AUTHOR).request_review(draft["id"], {"reviewers": ["tom"]})  # no reviewing one's own work
    again = as_(AUTHOR).request_review(draft["id"], {"reviewers": ["eve"]})
    assert (again["review"]["round"], [reviewer["decision"] for reviewer in again["reviewers"]]) == (2, [None])


def test_of_the_last_two_approvals_at_once_one_makes_the_material_approved(as_, container):
    draft = reviewed_draft(as_)

    def approve(index):
        with rpc_to(container, EXPERTS[index]) as expert:
            return expert.decide_review(draft["id"], {"decision": "approve"})["status"]

    assert sorted(run_together(2, approve)) in (["approved", "in_review"], ["approved", "approved"])
    assert as_(SUPERVISOR).get_material(draft["id"])["status"] == "approved"


def test_numbers_are_unique_even_when_published_concurrently(as_, container):
    drafts = [approved(as_)["id"] for _ in range(4)]

    def publish(index):
        with rpc_to(container, SUPERVISOR) as staff:
            return staff.publish_material(drafts[index], {"category": "reporting"})["number"]

    assert sorted(run_together(4, publish)) == [this_year(sequence) for sequence in range(1, 5)]


def test_a_revision_is_a_new_version_and_old_versions_stay_readable(as_, resources, subscriber):
    events = subscriber(resources["AMQP_URI"], "resources")
    material_id = approved(as_)["id"]
    as_(SUPERVISOR).publish_material(material_id, {"category": "reporting"})
    revised = as_(AUTHOR).revise_material(material_id, dict(MATERIAL, title="Reporting basics, 2nd edition",
                                                             change_summary="New report designer"))
    assert (revised["status"], revised["version"], revised["published_version"]) == ("draft", 2, 1)
    second_pdf = PDF.replace(b"Catalog", b"Catalog /Version 2")
    as_(AUTHOR).attach_material_file(material_id, upload(second_pdf, "slides-v2.pdf"))
    as_(AUTHOR).request_review(material_id, {"reviewers": ["eve"]})
    as_(EXPERTS[0]).decide_review(material_id, {"decision": "approve"})
    republished = as_(SPECIALIST).publish_material(material_id, {})

    envelope = events.wait_for("MaterialRevised.v1")
    assert envelope["data"] == dict(envelope["data"], material_id=material_id, number=this_year(1), version=2,
                                    previous_version=1, change_summary="New report designer")
    assert [version["version"] for version in republished["versions"]] == [1, 2]
    assert republished["revision_log"][0]["change_summary"] == "New report designer"
    old = as_(SUPERVISOR).get_material_version(material_id, 1)
    assert (old["title"], old["file"]["filename"]) == ("Reporting basics", "slides.pdf")
    assert base64.b64decode(as_(SUPERVISOR).get_material_file(material_id, 1)["content_base64"]) == PDF
    current = as_(SUPERVISOR).get_material_file(material_id)
    assert (current["sha256"], base64.b64decode(current["content_base64"])) == (
        hashlib.sha256(second_pdf).hexdigest(), second_pdf)


def test_files_are_checked_for_type_and_bad_ones_change_nothing(as_):
    draft = as_(AUTHOR).create_material(MATERIAL)
    refusals = {
        "pdf claimed, text sent": upload(b"just text"),
        "text claimed, image sent": upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "notes.txt", "text/plain"),
        "not base64": dict(upload(PDF), content_base64="%%%"),
        "empty": upload(b""),
        "unsupported type": upload(PDF, content_type="application/x-msdownload"),
        "a path, not a name": upload(PDF, filename="../etc/passwd"),
    }
    for body in refusals.values():
        with pytest.raises(InvalidInput):
            as_(AUTHOR).attach_material_file(draft["id"], body)
    assert as_(AUTHOR).get_material(draft["id"])["file"] is None
    text = as_(AUTHOR).attach_material_file(draft["id"], upload("Übungen\n".encode(), "exercises.md", "text/markdown"))
    assert text["file"]["size"] == len("Übungen\n".encode())


def test_a_file_a_crash_left_unnamed_is_removed_once_no_upload_can_still_name_it(as_, container, store):
    from gridfs import GridFSBucket
    from nameko.testing.services import entrypoint_hook

    published_id = published(as_)
    draft = as_(AUTHOR).create_material(MATERIAL)
    as_(AUTHOR).attach_material_file(draft["id"], upload(PDF))
    db = store(container.config, "resources")
    files = GridFSBucket(db, bucket_name="material_files")
    # The process died after storing the file and before the draft named it.
    files.upload_from_stream_with_id("file-orphan", "lost.pdf", PDF)

    assert material_files.remove_orphans(db, utc_now() - timedelta(hours=1)) == []  # an upload may be under way
    assert material_files.remove_orphans(db, utc_now() + timedelta(seconds=1)) == ["file-orphan"]
    assert {stored._id for stored in files.find({})} == {
        as_(SUPERVISOR).get_material(material_id)["file"]["file_id"] for material_id in (published_id, draft["id"])}
    assert base64.b64decode(as_(SUPERVISOR).get_material_file(published_id)["content_base64"]) == PDF
    with entrypoint_hook(container, "remove_orphan_files") as sweep:
        assert sweep() == []


def test_files_over_the_configured_size_are_refused(running_service, rpc_as):
    small = running_service(ResourcesService, MATERIAL_MAX_FILE_BYTES=64)
    author = rpc_as(small, AUTHOR)
    draft = author.create_material(MATERIAL)
    with pytest.raises(InvalidInput) as refused:
        author.attach_material_file(draft["id"], upload(PDF + b" " * 64))
    assert "at most 64 are accepted" in refused.value.message


def test_a_copy_is_never_lent_to_two_people_at_once(as_, container):
    material_id = as_(AUTHOR).create_material(MATERIAL)["id"]
    copy = as_(SUPERVISOR).add_copy(material_id, {"label": "Shelf B-1", "location": "Library"})
    due = (date.today() + timedelta(days=14)).isoformat()

    def lend(index):
        with rpc_to(container, SUPERVISOR) as staff:
            return staff.lend_copy(material_id, copy["id"], {"borrower_id": f"reader-{index}",
                                                             "borrower_name": f"Reader {index}", "due_on": due})

    results = run_together(6, lend)
    lent = [result for result in results if isinstance(result, dict)]
    assert len(lent) == 1 and all(isinstance(result, Conflict) for result in results if result is not lent[0])
    assert as_(SUPERVISOR).list_loans({})["items"][0]["borrower_id"] == lent[0]["loan"]["borrower_id"]


def test_loans_come_back_and_overdue_ones_are_listed(as_, store, resources):
    material_id = as_(AUTHOR).create_material(MATERIAL)["id"]
    first, second = (as_(SUPERVISOR).add_copy(material_id, {"label": label, "location": "Library"})
                     for label in ("A", "B"))
    with pytest.raises(InvalidInput):
        as_(SUPERVISOR).lend_copy(material_id, first["id"], {"borrower_id": "ada", "borrower_name": "Ada",
                                                             "due_on": "2020-01-01"})
    due = (date.today() + timedelta(days=7)).isoformat()
    as_(SUPERVISOR).lend_copy(material_id, first["id"], {"borrower_id": "ada", "borrower_name": "Ada", "due_on": due})
    as_(SUPERVISOR).lend_copy(material_id, second["id"], {"borrower_id": "bob", "borrower_name": "Bob",
                                                          "due_on": due})
    # Bob's loan fell due yesterday.
    store(resources, "resources")["material_copies"].update_one(
        {"_id": second["id"]}, {"$set": {"loan.due_on": (date.today() - timedelta(days=1)).isoformat()}})
    returned = as_(SUPERVISOR).return_copy(material_id, first["id"], {"condition": "cover torn"})
    with pytest.raises(Conflict):
        as_(SUPERVISOR).return_copy(material_id, first["id"], {})

    overdue = as_(SUPERVISOR).list_loans({"state": "overdue"})
    assert [(loan["borrower_id"], loan["overdue"]) for loan in overdue["items"]] == [("bob", True)]
    assert [loan["borrower_id"] for loan in as_(SUPERVISOR).list_loans({"state": "returned"})["items"]] == ["ada"]
    assert (returned["status"], returned["history"][0]["condition"]) == ("available", "cover torn")
    assert as_(SUPERVISOR).list_loans({"state": "all", "borrower_id": "ada"})["total"] == 1
    copies = as_(SUPERVISOR).list_copies(material_id, {"limit": 1, "offset": 1})
    assert (copies["total"], [copy["label"] for copy in copies["items"]]) == (2, ["B"])


def test_borrowers_of_overdue_copies_are_reminded_once_a_week_and_only_once(
        as_, container, store, service_process, mongo_uri, smtp_server, monkeypatch):
    from nameko.testing.services import entrypoint_hook
    from shared.testing import cluster_rpc

    archive = service_process("archive", container.config["AMQP_URI"], mongo_uri("archive"))
    with cluster_rpc(container.config["AMQP_URI"], SPECIALIST) as rpc:
        rpc.archive.register_learner({"learner_id": "ada", "first_name": "Ada", "last_name": "Lovelace",
                                      "email": "ada@example.com", "organisation": "Engines Ltd",
                                      "user_type": "customer"})
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_server.port))
    material_id = as_(AUTHOR).create_material(MATERIAL)["id"]
    due = (date.today() + timedelta(days=7)).isoformat()
    copies = {}
    as_(SUPERVISOR).register_trainer(trainer("tim", "Tim Berners"))  # staff, known to the trainer pool only
    # The archive knows ada; tim is a trainer; nobody has contact details for sam (other staff).
    for label, borrower in (("A", "ada"), ("B", "sam"), ("C", "ada"), ("D", "tim")):
        copies[label] = as_(SUPERVISOR).add_copy(material_id, {"label": label, "location": "Library"})["id"]
        as_(SUPERVISOR).lend_copy(material_id, copies[label], {"borrower_id": borrower, "borrower_name": borrower,
                                                               "due_on": due})
    as_(SUPERVISOR).return_copy(material_id, copies["C"], {})  # back in time: no reminder

    def fall_due(label, days_ago):
        store(container.config, "resources")["material_copies"].update_one(
            {"_id": copies[label]}, {"$set": {"loan.due_on": (date.today() - timedelta(days=days_ago)).isoformat()}})

    def timer_round():
        with entrypoint_hook(container, "remind_overdue_borrowers") as remind:
            return remind()

    def reminders():
        return [mail for mail in smtp_server.messages() if mail["Subject"].startswith("Please return")]

    for label in ("A", "B", "D"):
        fall_due(label, 1)
    assert timer_round() == 2
    sent = {mail["X-RcptTo"]: mail for mail in reminders()}
    assert sorted(sent) == ["ada@example.com", "tim@example.com"]
    assert sent["ada@example.com"]["Subject"] == "Please return: Reporting basics, copy A"
    assert "was due back on" in sent["ada@example.com"].get_payload()
    assert "Dear Ada" in sent["ada@example.com"].get_payload()
    assert "Dear Tim Berners" in sent["tim@example.com"].get_payload()
    overdue = {loan["copy_id"]: loan for loan in as_(SUPERVISOR).list_loans({"state": "overdue"})["items"]}
    assert [overdue[copies[label]]["reminders_sent"] for label in "ABD"] == [1, 0, 1]

    assert timer_round() == 0 and len(reminders()) == 2  # the same week: nothing new

    # A week later, four rounds at once (replicas while the timer's lease changes hands): each
    # reminder is claimed before it is sent, so it goes out once.
    fall_due("A", 8)
    known = {"ada": {"learner_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}}
    run_together(4, lambda _: loan_reminders.send_due(
        store(container.config, "resources"), notifier_from_env(), lambda ids: known, ["email"], 7, utc_now()))
    ada_reminders = [mail for mail in reminders() if mail["X-RcptTo"] == "ada@example.com"]
    assert sorted("reminder 2 of 4" in mail.get_payload() for mail in ada_reminders) == [False, True]
    archive.stop()


def published(as_, **fields):
    material_id = as_(AUTHOR).create_material(dict(MATERIAL, **fields))["id"]
    as_(AUTHOR).attach_material_file(material_id, upload(PDF))
    as_(AUTHOR).request_review(material_id, {"reviewers": ["eve"]})
    as_(EXPERTS[0]).decide_review(material_id, {"decision": "approve"})
    return as_(SUPERVISOR).publish_material(material_id, {"category": "reporting"})["id"]


def test_materials_are_flagged_for_revision_by_age_evaluations_and_releases(as_, container, resources, store):
    reporting = published(as_)
    alerts = published(as_, title="Alerting", topics=["Alerts"], products=["Monitoring"])
    evaluation = make_envelope("EvaluationCompleted.v2", "ev-1", {
        "evaluation_id": "ev-1", "scope": "course", "course": "Reporting", "levels": [], "weak_topics": ["reporting"],
        "completed_at": utc_now()})
    deliver(container, "on_evaluation_completed", "feedback", evaluation, evaluation)
    flagged = as_(SUPERVISOR).flag_for_product_release({"product": "monitoring", "release": "5.2"})
    db = store(resources, "resources")
    # The periodic round, as if a year had passed: both are old now, and a second round adds nothing.
    assert sorted(materials.flag_unrevised(db, utc_now() + timedelta(days=1), utc_now())) == sorted([reporting, alerts])
    assert materials.flag_unrevised(db, utc_now() + timedelta(days=1), utc_now()) == []

    due = {item["id"]: item for item in as_(SUPERVISOR).list_materials({"review_due": True})["items"]}
    assert flagged == {"material_ids": [alerts]}
    assert sorted(flag["reason"] for flag in due[reporting]["review_flags"]) == ["age", "evaluation"]
    assert sorted(flag["reason"] for flag in due[alerts]["review_flags"]) == ["age", "product_release"]
