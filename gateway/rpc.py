"""Pooled nameko RPC clients for a threaded gateway.

A standalone ClusterRpcProxy is not thread-safe, so each request borrows one from a pool. Every
call has a timeout; a service that is down, a broker that is gone or a call that times out
becomes ServiceUnavailable (HTTP 503). Domain errors come back as their own classes.
"""
import logging
import queue
import socket

from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

import shared.remote  # noqa: F401  (deserialize domain errors to their classes)
from shared.errors import DomainError

log = logging.getLogger(__name__)

UNAVAILABLE = (RpcTimeout, UnknownService, OperationalError, OSError, socket.timeout, ConnectionError)


class ServiceUnavailable(Exception):
    def __init__(self, service, reason):
        super().__init__(f"the {service} service is unavailable ({reason})")
        self.service = service


class RpcPool:
    def __init__(self, amqp_uri, timeout_seconds, size):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout_seconds
        self.idle = queue.LifoQueue(maxsize=size)

    def call(self, service, method, *args, correlation_id=None, **kwargs):
        client = self._borrow(service)
        healthy = False
        try:
            client.standalone._worker_ctx.data["correlation_id"] = correlation_id
            result = getattr(client.service(service), method)(*args, **kwargs)
            healthy = True
            return result
        except DomainError:
            healthy = True
            raise
        except UNAVAILABLE as exc:
            # A timed-out client may still receive the late reply: never reuse it.
            raise ServiceUnavailable(service, type(exc).__name__) from exc
        finally:
            self._give_back(client, healthy)

    def _borrow(self, service):
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            pass
        try:
            return PooledClient(self.config, self.timeout)
        except UNAVAILABLE as exc:
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
        self.standalone = ClusterRpcProxy(config, timeout=timeout)
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
