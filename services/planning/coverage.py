"""Which needs a plan addresses and which it leaves open.

An item addresses a need it links to, or a need whose topic is one of the item's topics
(compared without case and extra spaces). Open needs are listed in backlog order.
"""
from services.planning.needs import normalised, priority
from services.planning.contract import URGENCIES


def plan_coverage(plan, needs, now):
    by_id = {need["_id"]: need for need in needs}
    addressed = {}  # need id -> {"item_ids": [...], "matched_by": "link" | "topic"}
    for item in plan["items"]:
        topics = {normalised(topic) for topic in item["topics"]}
        for need in needs:
            if need["_id"] in item["linked_needs"]:
                matched_by = "link"
            elif normalised(need["topic"]) in topics:
                matched_by = "topic"
            else:
                continue
            entry = addressed.setdefault(need["_id"], {"item_ids": [], "matched_by": matched_by})
            entry["item_ids"].append(item["item_id"])
            if matched_by == "link":
                entry["matched_by"] = "link"
    covered = [summary(by_id[need_id], **entry) for need_id, entry in addressed.items()]
    open_needs = sorted((need for need in needs if need["_id"] not in addressed),
                        key=lambda need: (-priority(need, now), need["_id"]))
    linked = {need_id for item in plan["items"] for need_id in item["linked_needs"]}
    return {
        "plan_id": plan["_id"],
        "covered": sorted(covered, key=lambda entry: (-entry["requesters"], entry["need_id"])),
        "open": [summary(need) for need in open_needs],
        "missing_links": sorted(linked - set(by_id)),
        "requesters_covered": sum(entry["requesters"] for entry in covered),
        "requesters_open": sum(need["requesters"] for need in open_needs),
    }


def summary(need, item_ids=(), matched_by=None):
    return {"need_id": need["_id"], "topic": need["topic"], "product": need.get("product"),
            "requesters": need["requesters"], "urgency": URGENCIES[need["urgency_level"] - 1],
            "item_ids": list(item_ids), "matched_by": matched_by}
