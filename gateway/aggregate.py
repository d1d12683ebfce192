"""Views across services, fetched concurrently within a time budget.

Each part of a view is one RPC. All parts start at once; whatever has not answered when the
budget (VIEW_BUDGET_SECONDS, default 2) runs out, or whose service is down, is left out and its
service named in `unavailable`, so one slow or absent service never fails the whole view. A part
the caller may not see (their role or the object's owner decides, in the service) is simply left
out.
"""
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from flask import current_app, g

from shared.config import setting
from shared.errors import DomainError
from shared.shell.client import OutcomeUnknown, ServiceUnavailable

POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="view-part")


@dataclass(frozen=True)
class Part:
    name: str
    service: str
    method: str
    args: tuple = field(default_factory=tuple)


def gather(parts):
    """({part name: answer}, [services that did not answer in time]) for the parts of a view."""
    rpc = current_app.extensions["rpc"]
    identity = current_app.extensions["identity_signer"].sign(g.actor)
    correlation_id = g.get("request_id")
    futures = {POOL.submit(rpc.call, part.service, part.method, *part.args, identity=identity,
                           correlation_id=correlation_id): part for part in parts}
    done, late = wait(futures, timeout=setting(None, "VIEW_BUDGET_SECONDS", float, default=2))
    answers, unavailable = {}, {futures[future].service for future in late}
    for future in done:
        part = futures[future]
        try:
            answers[part.name] = future.result()
        except DomainError:
            continue  # not this caller's to see
        except (ServiceUnavailable, OutcomeUnknown):
            unavailable.add(part.service)
    return answers, sorted(unavailable)
