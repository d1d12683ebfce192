"""Demo resources: a trainer pool with leave, development and an evaluation; rooms; equipment with
a maintenance history, an upgrade and a scrapped asset; materials that went through review (one
rejected first, one revised to a second version) with files; physical copies, one lent and one
returned. Delivery's demo sessions, scheduled before the pool existed, are booked again; the
session delivery completed counts on its trainer's scorecard."""
import sys
from datetime import date, timedelta

import requests

from gateway.tokens import mint

TRAINERS = (
    ("demo.trainer", "Margaret Hamilton", ["Platform basics", "Platform basics for administrators",
                                           "Data privacy settings", "Advanced reporting workshop"], ["Platform"],
     ["basic_operation", "advanced_features"], ["en"]),
    ("katherine.johnson", "Katherine Johnson", ["Advanced reporting", "Retail analytics use cases"], ["Analytics"],
     ["advanced_features", "industry_application"], ["en", "fr"]),
    ("konrad.zuse", "Konrad Zuse", ["Platform basics", "Advanced reporting"], ["Platform", "Analytics"],
     ["basic_operation"], ["de", "en"]),
)
ROOMS = (("Turing", "Headquarters", 24, ["projector", "whiteboard", "video conferencing"]),
         ("Lovelace", "Headquarters", 10, ["whiteboard"]),
         ("Training centre A", "Customer campus", 40, ["projector", "laptops", "microphones"]))
EQUIPMENT = (("PRJ-0001", "projector", "Epson EB-L630U", 1, "2023-04-12", "Headquarters"),
             ("LAP-SET-01", "laptop set", "ThinkPad T14 (set of 12)", 12, "2024-09-02", "Headquarters"),
             ("MIC-0003", "wireless microphone", "Sennheiser EW-D", 2, "2019-02-20", "Customer campus"))
# Smallest valid PDF that says what it is: enough for the demo's files.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >>" \
      b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def load(client):
    trainers(client)
    for name, site, capacity, fittings in ROOMS:
        client.post("/rooms", {"name": name, "site": site, "capacity": capacity, "fittings": fittings}, "specialist")
    equipment(client)
    materials(client)
    # Sessions delivery scheduled before the pool existed are booked again now that it does.
    for booking in client.get("/bookings?status=conflict&limit=100", "supervisor")["items"]:
        if not booking["completed_at"]:
            client.post(f"/bookings/{booking['session_id']}/recheck", {}, "supervisor")


def trainers(client):
    for trainer_id, name, topics, products, tiers, languages in TRAINERS:
        client.post("/trainers", {
            "trainer_id": trainer_id, "name": name, "email": f"{name.lower().replace(' ', '.')}@example.com",
            "topics": topics, "products": products, "tiers": tiers, "languages": languages,
            "working_hours": {"timezone": "Europe/Berlin", "weekdays": [1, 2, 3, 4, 5], "start": "08:00",
                              "end": "18:00"}}, "supervisor")
    leave_from = date.today() + timedelta(days=60)
    client.post("/trainers/konrad.zuse/leave", {"starts_on": leave_from.isoformat(),
                                                "ends_on": (leave_from + timedelta(days=13)).isoformat(),
                                                "reason": "summer holiday"}, "supervisor")
    client.post("/trainers/demo.trainer/trainings", {"title": "Facilitating online workshops",
                                                     "provider": "Training academy", "hours": 16,
                                                     "completed_on": (date.today() - timedelta(days=90)).isoformat()},
                "trainer", "demo.trainer")
    client.post("/trainers/katherine.johnson/certifications", {
        "name": "Certified Analytics Expert", "issuer": "Product academy",
        "issued_on": (date.today() - timedelta(days=400)).isoformat(),
        "expires_on": (date.today() + timedelta(days=330)).isoformat()}, "supervisor")
    last_year = date.today().year - 1
    client.post("/trainers/katherine.johnson/evaluations", {
        "period": f"{last_year}-H2", "outcome": "reward",
        "reason": "Led the analytics launch courses; excellent learner feedback"}, "manager")


def equipment(client):
    items = {}
    for tag, kind, model, quantity, bought, location in EQUIPMENT:
        items[tag] = client.post("/equipment", {"asset_tag": tag, "type": kind, "model": model, "quantity": quantity,
                                                "purchase_date": bought, "location": location}, "specialist")
    projector = items["PRJ-0001"]["id"]
    for kind, description, repaired_by, cost in (("scheduled", "Yearly inspection and filter change", "Facilities",
                                                   "0.00"),
                                                  ("fault", "Image flickers after warm-up", "Epson service", "145.00")):
        opened = client.post(f"/equipment/{projector}/maintenance", {"kind": kind, "description": description},
                             "supervisor")
        client.post(f"/equipment/{projector}/maintenance/{opened['maintenance'][-1]['id']}/close",
                    {"repaired_by": repaired_by, "cost": cost}, "supervisor")
    laptops = items["LAP-SET-01"]["id"]
    client.post(f"/equipment/{laptops}/upgrades", {"description": "Memory upgraded to 32 GB for the analytics labs",
                                                   "cost": "960.00"}, "specialist")
    client.post(f"/equipment/{items['MIC-0003']['id']}/retirement", {
        "reason": "Receivers fail intermittently; repair costs more than a replacement", "method": "recycled",
        "disposed_on": date.today().isoformat(), "reference": "WEEE-2026-118"}, "supervisor")


def materials(client):
    basics = reviewed(client, {"title": "Platform basics for administrators: slide deck", "category": "administration",
                               "topics": ["Platform basics"], "products": ["Platform"], "format": "slides"},
                      reject_first=True)
    client.post(f"/materials/{basics}/publish", {}, "specialist")
    reporting = reviewed(client, {"title": "Advanced reporting: hands-on exercises", "topics": ["Advanced reporting"],
                                  "products": ["Analytics"], "format": "exercise"})
    client.post(f"/materials/{reporting}/publish", {"category": "reporting"}, "specialist")
    client.post(f"/materials/{reporting}/revisions", {
        "title": "Advanced reporting: hands-on exercises", "topics": ["Advanced reporting"], "products": ["Analytics"],
        "format": "exercise", "change_summary": "Exercises for the new report designer"}, "trainer", "demo.trainer")
    review_and_approve(client, reporting)
    client.post(f"/materials/{reporting}/publish", {}, "specialist")

    copies = [client.post(f"/materials/{basics}/copies", {"label": f"Shelf A-{number}", "location": "Library"},
                          "specialist") for number in (1, 2)]
    due = (date.today() + timedelta(days=14)).isoformat()
    client.post(f"/materials/{basics}/copies/{copies[0]['id']}/loans", {
        "borrower_id": "demo.specialist", "borrower_name": "Sam Specialist", "due_on": due}, "specialist")
    client.post(f"/materials/{basics}/copies/{copies[1]['id']}/loans", {
        "borrower_id": "konrad.zuse", "borrower_name": "Konrad Zuse", "due_on": due}, "specialist")
    client.post(f"/materials/{basics}/copies/{copies[1]['id']}/return", {"condition": "as new"}, "specialist")


def reviewed(client, material, reject_first=False):
    """A draft by the demo trainer with its file, through review."""
    material_id = client.post("/materials", material, "trainer", "demo.trainer")["id"]
    attach(client, material_id, "handout.pdf")
    if reject_first:
        client.post(f"/materials/{material_id}/reviews", {"reviewers": ["demo.specialist"]}, "trainer", "demo.trainer")
        client.post(f"/materials/{material_id}/reviews/decision", {
            "decision": "reject", "comment": "Add the new user-roles screen"}, "specialist")
    review_and_approve(client, material_id)
    return material_id


def review_and_approve(client, material_id):
    client.post(f"/materials/{material_id}/comments", {"text": "Checked against the current release"}, "supervisor")
    client.post(f"/materials/{material_id}/reviews", {"reviewers": ["demo.specialist", "demo.supervisor"]},
                "trainer", "demo.trainer")
    for role in ("specialist", "supervisor"):
        client.post(f"/materials/{material_id}/reviews/decision", {"decision": "approve"}, role)


def attach(client, material_id, filename):
    response = requests.put(f"{client.gateway}/api/v1/materials/{material_id}/file", params={"filename": filename},
                            data=PDF, timeout=10, headers={"Content-Type": "application/pdf", "Authorization":
                                                           f"Bearer {mint(['trainer'], 'demo.trainer')}"})
    if not response.ok:
        sys.exit(f"demo data: PUT file of {material_id} failed: {response.status_code} {response.text}")
