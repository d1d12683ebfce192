"""A demo session for the approved plan's first item, three weeks from now."""
from datetime import datetime, timedelta, timezone


def load(client):
    plan = client.shared["plan"]
    start = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=21)
    client.shared["session"] = client.post("/sessions", {
        "title": "Platform basics for administrators (cohort 1)", "format": "online",
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat(),
        "capacity": 40, "plan_id": plan["id"], "item_id": plan["items"][0]["item_id"]}, "supervisor")
