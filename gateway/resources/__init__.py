"""One module per resource; each exposes a flask-smorest Blueprint named `blp`."""
from flask import g

from flask import current_app


def call(service, method, *args, **kwargs):
    """Call a service over the gateway's RPC pool, carrying the request id as correlation id."""
    return current_app.extensions["rpc"].call(service, method, *args,
                                              correlation_id=g.get("request_id"), **kwargs)


def actor():
    return g.actor
