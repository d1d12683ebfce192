"""The platform kit every service and the gateway use: config, events, outbox, reliable
consumption, store access, metrics, health and logs. Business rules live in the services."""
