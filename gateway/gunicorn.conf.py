"""gunicorn settings for the gateway; environment variables override the defaults."""
import os
import shutil

from prometheus_client import multiprocess

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8080")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
limit_request_line = 8190  # the most gunicorn allows; longer URLs get its 414 (documented in the API)
graceful_timeout = 20
accesslog = "-"
access_log_format = '{"time": "%(t)s", "request": "%(r)s", "status": %(s)s, "duration_us": %(D)s, "request_id": "%({x-request-id}o)s"}'
logconfig_dict = __import__("shared.logs", fromlist=["with_filter"]).with_filter(
    "redact", "gateway.protection.RedactTokens")  # no bearer token ever reaches a log line


def on_starting(server):
    # Files of an earlier run (e.g. a restarted container in the same pod) would add stale counts.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    # Metrics of several workers are merged from PROMETHEUS_MULTIPROC_DIR (see shared.metrics).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
