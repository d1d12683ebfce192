"""Pooled nameko RPC clients for a threaded caller (the gateway).

A standalone ClusterRpcProxy is not thread-safe, so each call borrows one from a pool. Every
call carries the caller's signed identity and correlation id, and has a timeout. A service that
is down or a broker that is gone is ServiceUnavailable (HTTP 503): the request expires in the
broker when the caller stops waiting, so it is never acted on later. A call that was taken but
not answered in time is OutcomeUnknown (HTTP 504): it may still have happened. Domain errors
come back as their own classes.
"""
import logging
import queue
import socket
import sys

from kombu import Connection
from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

import shared.shell.remote  # noqa: F401  (deserialize domain errors to their classes)
from shared.errors import DomainError
from shared.shell.providers import IDENTITY_HEADER
from shared.shell.topology import StandaloneReplyListener

log = logging.getLogger(__name__)

# Outside eventlet kombu tries `import librabbitmq` for every Connection it builds, and nameko's
# publisher builds one per call to find its pooled producer: the failing import searched sys.path
# on every call, a tenth of a gateway read. The package is never installed; a None entry in
# sys.modules makes that import fail at once.
sys.modules.setdefault("librabbitmq", None)

UNREACHABLE = (UnknownService, OperationalError, OSError, socket.timeout, ConnectionError)


class ServiceUnavailable(Exception):
    def __init__(self, service, reason):
        super().__init__(f"the {service} service is unavailable ({reason})")
        self.service = service


class OutcomeUnknown(Exception):
    def __init__(self, service, timeout):
        super().__init__(f"the {service} service did not answer within {timeout:g} s; "
                         "the request may still have been carried out")
        self.service = service


class RpcPool:
    def __init__(self, amqp_uri, timeout_seconds, size):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout_seconds
        self.idle = queue.LifoQueue(maxsize=size)

    def call(self, service, method, *args, identity=None, correlation_id=None, **kwargs):
        client = self._borrow(service)
        healthy = False
        try:
            context = client.standalone._worker_ctx.data
            context["correlation_id"] = correlation_id
            context[IDENTITY_HEADER] = identity
            result = getattr(client.service(service), method)(*args, **kwargs)
            healthy = True
            return result
        except DomainError:
            healthy = True
            raise
        except RpcTimeout as exc:
            # A timed-out client may still receive the late reply: never reuse it.
            if not self._has_consumers(service):  # nobody took it: it expires unread
                raise ServiceUnavailable(service, "no instance is running") from exc
            raise OutcomeUnknown(service, self.timeout) from exc
        except UNREACHABLE as exc:
            raise ServiceUnavailable(service, type(exc).__name__) from exc
        finally:
            self._give_back(client, healthy)

    def _has_consumers(self, service):
        try:
            with Connection(self.config["AMQP_URI"], connect_timeout=2) as connection:
                return connection.default_channel.queue_declare(f"rpc-{service}", passive=True).consumer_count > 0
        except Exception:  # no queue, or no broker: nobody can have taken the request
            return False

    def _borrow(self, service):
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return PooledClient(self.config, self.timeout)
        except UNREACHABLE as exc:
            raise ServiceUnavailable(service, f"broker unreachable: {type(exc).__name__}") from exc

    def _give_back(self, client, healthy):
        if healthy:
            try:
                self.idle.put_nowait(client)
                return
            except queue.Full:
                pass
        client.close()

    def close(self):
        while not self.idle.empty():
            self.idle.get_nowait().close()


class PooledClient:
    """One started standalone proxy. Its requests expire in the broker when the caller stops
    waiting, so a service that comes back never acts on a request already answered with 503."""

    def __init__(self, config, timeout):
        self.timeout = timeout
        # Its reply queue binds to the RPC exchange passively where the broker's topology Job
        # owns it (shared.shell.topology).
        self.standalone = ClusterRpcProxy(config, timeout=timeout, reply_listener_cls=StandaloneReplyListener)
        self.standalone.start()
        self.services = {}

    def service(self, name):
        if name not in self.services:
            self.services[name] = ServiceProxy(self.standalone._worker_ctx, name,
                                               self.standalone._reply_listener,
                                               expiration=self.timeout)
        return self.services[name]

    def close(self):
        try:
            self.standalone.stop()
        except Exception as exc:  # closing a broken connection may fail; nothing to keep
            log.debug("closing rpc client: %r", exc)
