"""The nameko shell every service shares (the only place besides services' service.py files
that imports nameko): store and event providers, the caller's identity, reliable event
handlers, timers that run on one replica, ops endpoints, and the RPC client the gateway uses.

A service subclasses PlatformService and gets, besides its own entrypoints:
  * `self.db`      its MongoDB database (indexes created at start);
  * `self.events`  new envelopes for the outbox; they are published after each worker;
  * `self.caller`  who is calling, verified: `self.caller.require("manager")`;
  * a timer relaying outbox events a crash or outage left unsent (on one replica at a time);
  * RPC `list_dead_letters` / `redrive_dead_letter` over its dead-letter store;
  * GET /metrics, /healthz, /readyz on its own port (nameko's WEB_SERVER_ADDRESS).
What it declares on the broker, and what it only checks, is in shared/shell/topology.py
(quorum queues; `DECLARE_SHARED_TOPOLOGY=0` where a topology job owns the shared exchanges).
Domain code never imports this package.
"""
from shared.shell.base import PlatformService, rpc, singleton_timer
from shared.shell.handlers import handles, handles_all
from shared.shell.providers import Caller, Events, ServiceRpc, Store

__all__ = ["PlatformService", "rpc", "singleton_timer", "handles", "handles_all", "Caller", "Events", "ServiceRpc",
           "Store"]
