"""One module per resource; each exposes a flask-smorest Blueprint named `blp`."""
from flask import current_app, g
from flask_smorest import abort

# Every service behind the gateway, for the routes that address one by name (operations).
SERVICES = ("planning", "delivery", "assessment", "feedback", "resources", "archive", "webhooks")


def call(service, method, *args, **kwargs):
    """Call a service over the gateway's RPC pool as the authenticated caller: their identity,
    signed by the gateway, and the request id as correlation id travel with the call."""
    identity = current_app.extensions["identity_signer"].sign(g.actor) if g.get("actor") else None
    return current_app.extensions["rpc"].call(service, method, *args, identity=identity,
                                              correlation_id=g.get("request_id"), **kwargs)


def known_service(service):
    if service not in SERVICES:
        abort(404, message=f"no service named {service}", errors={"services": list(SERVICES)})
