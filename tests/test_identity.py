"""Identity end to end: a client that can reach the broker but holds no signing key cannot act
as anyone. Calls are made the way any AMQP client could make them (plain kombu, nameko's wire
format: a JSON body on the `nameko-rpc` exchange, context in `nameko.*` headers), against a real
planning service and store."""
import json
import socket
import time
import uuid

import jwt
import pytest
from kombu import Connection, Exchange, Queue

from shared.identity import AUDIENCE, GATEWAY_ISSUER, IdentitySigner, new_key_pair
from shared.testing import SIGNING_KEY
from shared.store import database_name

from services.planning.service import PlanningService

PLAN = {"year": 2027, "title": "Forged plan", "items": [{"title": "Basics", "format": "online", "audience": "admins"}]}
MANAGER = {"id": "mia", "roles": ["manager"]}


def call_over_amqp(amqp_uri, method, args, identity=None, timeout=10):
    """An RPC to planning with plain kombu; returns nameko's reply body {"result", "error"}."""
    rpc_exchange = Exchange("nameko-rpc", type="topic", durable=True)
    name = f"forger-{uuid.uuid4().hex[:8]}"
    # nameko answers through its exchange, routed by the reply_to name.
    reply_queue = Queue(name, exchange=rpc_exchange, routing_key=name, exclusive=True, auto_delete=True)
    correlation_id = str(uuid.uuid4())
    replies = []
    headers = {"nameko.call_id_stack": ["forger.call.0"]}
    if identity is not None:
        headers["nameko.identity"] = identity
    with Connection(amqp_uri) as connection:
        consumer = connection.Consumer([reply_queue], accept=["json"],
                                       callbacks=[lambda body, message: (replies.append(body), message.ack())])
        with consumer:
            connection.Producer().publish(
                {"args": args, "kwargs": {}}, exchange=rpc_exchange,
                routing_key=f"planning.{method}", reply_to=reply_queue.name, correlation_id=correlation_id,
                headers=headers, serializer="json")
            deadline = time.monotonic() + timeout
            while not replies and time.monotonic() < deadline:
                try:
                    connection.drain_events(timeout=0.5)
                except socket.timeout:
                    pass
    assert replies, "planning did not answer"
    return replies[0]


def forged(claims, key):
    now = int(time.time())
    return jwt.encode(dict({"iss": GATEWAY_ISSUER, "aud": AUDIENCE, "sub": "mia", "roles": ["manager"],
                            "iat": now, "exp": now + 60}, **claims), key, algorithm="EdDSA")


@pytest.fixture
def planning(running_service):
    return running_service(PlanningService)


@pytest.mark.parametrize("identity", [
    None,  # no identity at all (the old `actor` argument is gone: it is not even read)
    "not-a-token",
    json.dumps(MANAGER),  # a plain dict of claims, as before
    forged({}, new_key_pair()[0]),  # a well-formed token signed with a key the platform does not trust
    jwt.encode({"iss": GATEWAY_ISSUER, "aud": AUDIENCE, "sub": "mia", "roles": ["manager"],
                "iat": int(time.time()), "exp": int(time.time()) + 60}, "a-guessed-secret" * 3, algorithm="HS256"),
    forged({"aud": "another-system"}, SIGNING_KEY),  # the right key, meant for someone else
    forged({"exp": int(time.time()) - 120}, SIGNING_KEY),  # the right key, expired
], ids=["none", "garbage", "plain-claims", "untrusted-key", "symmetric-guess", "wrong-audience", "expired"])
def test_a_made_up_identity_is_refused_and_changes_nothing(planning, store, identity):
    reply = call_over_amqp(planning.config["AMQP_URI"], "create_plan", [PLAN], identity)

    assert reply["result"] is None
    assert reply["error"]["exc_type"] == "Unauthenticated"
    db = store(planning.config, "planning")
    assert db.plans.count_documents({}) == 0


def test_the_gateways_signature_is_what_lets_a_call_through(planning, store):
    """The same raw call with an identity signed by the gateway's key works: the refusals above
    are about the identity, not the client."""
    token = IdentitySigner(SIGNING_KEY).sign({"id": "sam", "roles": ["specialist"]})
    reply = call_over_amqp(planning.config["AMQP_URI"], "create_plan", [PLAN], token)

    assert reply["error"] is None
    assert reply["result"]["author"] == "sam"
    assert store(planning.config, "planning").plans.count_documents({}) == 1


def test_an_actor_argument_is_no_longer_accepted(planning, store):
    """Old clients passed who they were as an argument; the service's signature has no room for it."""
    token = IdentitySigner(SIGNING_KEY).sign({"id": "sam", "roles": ["specialist"]})
    reply = call_over_amqp(planning.config["AMQP_URI"], "create_plan", [PLAN, MANAGER], token)

    assert reply["error"]["exc_type"] == "IncorrectSignature"
    assert store(planning.config, "planning").plans.count_documents({}) == 0


def test_a_service_identity_carries_only_the_service_role(planning):
    """A fellow service's identity (signed with the services' shared secret) never grants a person's role."""
    from shared.testing import as_service

    reply = call_over_amqp(planning.config["AMQP_URI"], "create_plan", [PLAN], as_service("delivery")["identity"])
    assert reply["error"]["exc_type"] == "Forbidden"
    assert database_name(planning.config["MONGO_URI"], "planning")
