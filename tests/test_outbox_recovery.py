"""A service killed between its state change and the publish loses no event: the outbox relay
publishes it once the service is back (real planning process, real broker and store)."""
from shared.store import database_name
from shared.testing import cluster_rpc, wait_until

SPECIALIST = {"id": "sam", "roles": ["specialist"]}
MANAGER = {"id": "mia", "roles": ["manager"]}
PLAN = {"year": 2027, "title": "Recovery plan",
        "items": [{"title": "Basics", "format": "online", "audience": "administrators"}]}


def test_events_written_but_never_published_go_out_after_a_restart(
        rabbit_config, rabbit_manager, mongo_uri, mongo_client, subscriber, service_process):
    amqp, vhost, user = rabbit_config["AMQP_URI"], rabbit_config["vhost"], rabbit_config["username"]
    events = subscriber(amqp, "planning")  # an outside system, bound before anything happens
    uri = mongo_uri("planning")
    plans = mongo_client[database_name(uri, "planning")].plans

    # The broker refuses planning's publishes (configure/read allowed, write denied on its exchange),
    # so every state change below is stored with its events but none is published.
    rabbit_manager.set_vhost_permissions(vhost, user, ".*", ".*", r"^(?!planning\.events$).*")
    planning = service_process("planning", amqp, uri)
    with cluster_rpc(amqp, SPECIALIST) as author, cluster_rpc(amqp, MANAGER) as manager:
        plan = author.planning.create_plan(PLAN)
        author.planning.submit_plan(plan["id"])
        assert manager.planning.approve_plan(plan["id"], {})["status"] == "approved"
    pending = plans.find_one({"_id": plan["id"]})["outbox"]
    assert [event["type"] for event in pending] == ["PlanSubmitted.v1", "PlanApproved.v1"]

    planning.kill()  # SIGKILL: the process dies with its outbox still full
    rabbit_manager.set_vhost_permissions(vhost, user, ".*", ".*", ".*")
    service_process("planning", amqp, uri)

    approved = events.wait_for("PlanApproved.v1", timeout=30, where=lambda e: e["subject"] == plan["id"])
    assert approved["id"] == pending[1]["id"]  # the very event written with the approval
    assert approved["data"]["approved_by"] == "mia"
    wait_until(lambda: plans.find_one({"_id": plan["id"]})["outbox"] == [], message="an empty outbox")
