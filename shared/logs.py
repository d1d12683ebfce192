"""Structured JSON logs carrying the correlation id and event id of the work being done."""
import contextvars
import copy
import logging
import logging.config

from pythonjsonlogger.json import JsonFormatter

correlation_id = contextvars.ContextVar("correlation_id", default=None)
event_id = contextvars.ContextVar("event_id", default=None)


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.correlation_id = correlation_id.get()
        record.event_id = event_id.get()
        return True


def json_formatter():
    return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s %(event_id)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": ContextFilter}},
    "formatters": {"json": {"()": json_formatter}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                            "filters": ["context"]}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {"kombu": {"level": "WARNING"}, "amqp": {"level": "WARNING"},
                "nameko": {"level": "WARNING"}, "pymongo": {"level": "WARNING"}},
}


def with_filter(name, factory):
    """LOGGING with one more filter (a dotted class path) on its handler."""
    config = copy.deepcopy(LOGGING)
    config["filters"][name] = {"()": factory}
    config["handlers"]["stderr"]["filters"].append(name)
    return config


def configure(level="INFO"):
    config = dict(LOGGING, root={"level": level, "handlers": ["stderr"]})
    logging.config.dictConfig(config)
