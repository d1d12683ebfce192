#!/usr/bin/env bash
# Start or stop a project-local RabbitMQ node that never touches the system's default node.
#   scripts/rabbitmq.sh start <dir> <node-name> <amqp-port> <management-port> <dist-port>
#   scripts/rabbitmq.sh stop  <dir> <node-name>
# The node runs as the user who calls this script, with its data in <dir>. Debian's wrapper in
# /usr/sbin would switch to the `rabbitmq` user, who cannot reach a clone in a private home
# folder, so the scripts behind the wrapper are called directly.
set -euo pipefail

action=$1 dir=$2 node=$3
bin=/usr/lib/rabbitmq/bin
[ -x "$bin/rabbitmq-server" ] || bin=$(dirname "$(command -v rabbitmq-server)")

rabbit_env() {
  export RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_NODENAME="$node" RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
}

case "$action" in
  start)
    amqp_port=$4 mgmt_port=$5 dist_port=$6
    mkdir -p "$dir/mnesia" "$dir/log"
    cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$amqp_port
management.tcp.port = $mgmt_port
management.tcp.ip = 127.0.0.1
loopback_users = none
CONF
    echo '[rabbitmq_management].' > "$dir/enabled_plugins"
    rabbit_env
    export RABBITMQ_DIST_PORT="$dist_port"
    if "$bin/rabbitmqctl" -n "$node" -q status >/dev/null 2>&1; then
      echo "rabbitmq node $node already running"; exit 0
    fi
    "$bin/rabbitmq-server" -detached >"$dir/log/start.out" 2>&1 || { cat "$dir/log/start.out"; exit 1; }
    # `wait` blocks until the pid file appears and the rabbit app has booted.
    if ! "$bin/rabbitmqctl" -n "$node" -q wait "$RABBITMQ_PID_FILE" --timeout 90 >/dev/null 2>&1; then
      echo "rabbitmq node $node did not start; logs in $dir/log" >&2; exit 1
    fi
    # Events published before any consumer queue exists are kept, with their routing key
    # (DESIGN.md §3.2): every <service>.events exchange falls back to the `unrouted` exchange.
    api="http://guest:guest@127.0.0.1:$mgmt_port/api"
    curl -fsS -X PUT -H 'content-type: application/json' -d '{"type":"fanout","durable":true}' \
      "$api/exchanges/%2F/unrouted" >/dev/null
    curl -fsS -X PUT -H 'content-type: application/json' -d '{"durable":true}' "$api/queues/%2F/unrouted" >/dev/null
    curl -fsS -X POST -H 'content-type: application/json' -d '{}' "$api/bindings/%2F/e/unrouted/q/unrouted" >/dev/null
    "$bin/rabbitmqctl" -n "$node" -q set_policy --apply-to exchanges unrouted-events '^[a-z]+\.events$' \
      '{"alternate-exchange":"unrouted"}' >/dev/null
    # Queues of another type than the services now declare would refuse the declaration
    # (PRECONDITION_FAILED): remove them while no service runs. RPC queues are of RPC_QUEUE_TYPE
    # (the quickstart: classic); a request left in one has expired by now. A dead-letter queue
    # an earlier release declared classic goes only when it is empty.
    rpc_type=${RPC_QUEUE_TYPE:-quorum}
    "$bin/rabbitmqctl" -n "$node" -q list_queues name type --no-table-headers 2>/dev/null |
      while read -r queue type; do
        case "$queue:$type" in
          rpc-*:"$rpc_type") ;;
          rpc-*:*) "$bin/rabbitmqctl" -n "$node" -q delete_queue "$queue" </dev/null >/dev/null ;;
          *.dead-letters:classic)
            "$bin/rabbitmqctl" -n "$node" -q delete_queue --if-empty "$queue" </dev/null >/dev/null 2>&1 ||
              echo "warning: $queue holds dead letters from an earlier release; move them, then delete it" >&2 ;;
        esac
      done
    echo "rabbitmq node $node ready on amqp://127.0.0.1:$amqp_port (management :$mgmt_port)"
    ;;
  stop)
    rabbit_env
    "$bin/rabbitmqctl" -n "$node" -q stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop <dir> <node> ..." >&2; exit 2 ;;
esac
