"""What the shell declares on the broker, and what it only checks.

Every process declares what it owns: its `<service>.events`, `<service>.redrive`,
`<service>.replays` and `<service>.dead-letters` exchanges, its queues (`rpc-<service>`, its
handlers' `evt-...` queues, `<service>.dead-letters`, reply queues) and their bindings.

What it does not own, it uses: the `<source>.events` exchanges of the services it consumes and
nameko's RPC exchange (`nameko-rpc`). In the quickstart and the tests one broker user may do
everything, and declaring them is harmless. In production each app has its own RabbitMQ user
that may not configure another's exchange; declaring one, even unchanged, needs that right
(RabbitMQ checks `configure` on every non-passive exchange.declare). There the broker's
topology Job declares them (deploy/k8s/base/topology) and the apps run with
`DECLARE_SHARED_TOPOLOGY=0`: they declare those exchanges passively, which needs no right,
creates nothing, and fails loudly (404) if the Job has not run.

nameko builds its RPC exchange in `nameko.rpc.get_rpc_exchange`, for the RPC consumer, the
reply listeners and the standalone proxies alike. Rather than patch nameko, the shell uses
subclasses of those three that swap in `rpc_exchange(config)` before their queue is declared;
the RPC consumer's subclass also makes `rpc-<service>` a quorum queue. Publishing declares
no exchange (nameko publishes RPC requests and replies without declaring), so nothing else
needs changing.

Quorum queues: `rpc-<service>` and `<service>.dead-letters` are replicated across the broker's
nodes, like the handlers' queues. On a single node (the quickstart) RPC_QUEUE_TYPE=classic keeps
the RPC queue classic: replication buys nothing there, and a quorum queue cost about a third of
the RPC throughput (scripts/benchmark_gateway.py: 255 against 344 one-RPC reads a second). RPC requests carry a per-message TTL (the caller's timeout);
RabbitMQ 3.10 quorum queues honour it (shared/tests/test_topology.py shows it).
"""
import copy
import functools

from kombu import Exchange, binding
from nameko.amqp.publish import Publisher
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY,
                              SERIALIZER_CONFIG_KEY)
from nameko.rpc import Responder, RpcConsumer, ReplyListener, Rpc, get_rpc_exchange
from nameko.standalone.rpc import PollingQueueConsumer, SingleThreadedReplyListener

from shared.config import setting

QUORUM = {"x-queue-type": "quorum"}


def declares_shared_topology(config=None):
    """Whether this process declares the exchanges it does not own (default: yes)."""
    return bool(setting(config, "DECLARE_SHARED_TOPOLOGY", int, default=1))


def shared_exchange(exchange, config=None):
    """`exchange`, declared passively unless this process declares the shared topology."""
    if declares_shared_topology(config):
        return exchange
    passive = copy.copy(exchange)
    passive.passive = True
    return passive


def rpc_exchange(config):
    return shared_exchange(get_rpc_exchange(config), config)


def redrive_exchange_name(service):
    return f"{service}.redrive"


def redrive_binding(service, queue_name):
    """A handler queue's binding to its service's redrive exchange, keyed by the queue's name:
    a redriven event goes back to that queue alone, through an exchange the service owns."""
    return binding(Exchange(redrive_exchange_name(service), type="direct", durable=True), routing_key=queue_name)


class UnconfirmedResponder(Responder):
    """Sends an RPC reply without waiting for the broker's confirm. A reply is not state: its
    call's effect is written already, and a reply lost with a broker crash leaves the caller to
    its timeout (an "outcome unknown" 504), as a lost confirm would. Waiting for the confirm cost
    a broker round trip on every call."""
    publisher_cls = functools.partial(Publisher, use_confirms=False)


class PlatformRpcConsumer(RpcConsumer):
    """nameko's RPC consumer on a quorum `rpc-<service>` queue, bound to `rpc_exchange`."""

    def setup(self):
        super().setup()  # builds self.queue; the QueueConsumer declares it when it starts
        self.queue.exchange = rpc_exchange(self.container.config)
        if setting(self.container.config, "RPC_QUEUE_TYPE", default="quorum") == "quorum":
            self.queue.queue_arguments = dict(self.queue.queue_arguments or {}, **QUORUM)

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = UnconfirmedResponder(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                                         config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
                                         ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                         login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class PlatformRpc(Rpc):
    rpc_consumer = PlatformRpcConsumer()


class PlatformReplyListener(ReplyListener):
    """The reply queue of a service's calls to other services (ServiceRpc), bound to `rpc_exchange`."""

    def setup(self):
        super().setup()  # declared by the QueueConsumer when it starts
        self.queue.exchange = rpc_exchange(self.container.config)


class _PollingQueueConsumer(PollingQueueConsumer):
    def register_provider(self, provider):
        provider.queue.exchange = rpc_exchange(provider.container.config)  # declared right here
        super().register_provider(provider)


class StandaloneReplyListener(SingleThreadedReplyListener):
    """The reply queue of a standalone proxy (the gateway's ClusterRpcProxy), bound to `rpc_exchange`."""

    def __init__(self, timeout=None):
        super().__init__(timeout=timeout)
        self.queue_consumer = _PollingQueueConsumer(timeout=timeout)
