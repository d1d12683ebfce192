"""The README's first command, as a new user runs it: `./scripts/start` from a copy of the
repository inside a private folder (mode 700, like root's home), on shifted ports. It must start
everything, load the demo data, answer through the gateway, and stop everything on Ctrl-C.

(`./scripts/test` keeps its broker and store under /tmp, so it runs from any folder already:
this suite itself is the proof.)
"""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from shared.testing import REPO, wait_until

BASE_PORTS = (5682, 15682, 25682, 8080, 8025) + tuple(range(27101, 27109)) + tuple(range(8101, 8108))


def free_offset():
    """A port offset at which every quickstart port is free."""
    for offset in range(300, 3000, 97):
        if all(port_free(port + offset) for port in BASE_PORTS):
            return offset
    raise AssertionError("no free set of quickstart ports")


def port_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def copy_of_the_repository(target):
    """The working tree as git sees it, plus what setup already built (so no second download)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(REPO / ".venv")
    for built in ("var/store/lib", "var/store/classes", "var/bin"):
        shutil.copytree(REPO / built, target / built, symlinks=True)
    for stamp in (REPO / "var/store").glob(".built-*"):
        shutil.copy2(stamp, target / "var/store" / stamp.name)
    for swagger in (REPO / "var").glob("swagger-ui*"):
        (target / "var" / swagger.name).symlink_to(swagger.resolve())


def test_quickstart_runs_from_a_private_folder(tmp_path):
    private = tmp_path / "home"
    private.mkdir(mode=0o700)
    clone = private / "training-platform"
    copy_of_the_repository(clone)
    offset = free_offset()
    log_path = tmp_path / "start.log"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "AMQP", "MONGO"))}
    with open(log_path, "wb") as log:
        start = subprocess.Popen(["./scripts/start"], cwd=clone, env=dict(env, TRAINING_PORT_OFFSET=str(offset)),
                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: start.poll() is not None or "Training platform is running" in log_path.read_text(),
                   300, 1, "the quickstart to start")
        assert start.poll() is None, log_path.read_text()[-4000:]

        token = subprocess.run([str(clone / ".venv/bin/python"), "-m", "gateway.tokens", "manager", "--sub", "mia"],
                               cwd=clone, check=True, capture_output=True, text=True).stdout.strip()
        plans = requests.get(f"http://127.0.0.1:{8080 + offset}/api/v1/plans",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert plans.status_code == 200, plans.text
        assert plans.json()["total"] >= 1  # the demo plan
        assert list((clone / "var/store/data").glob("*.mv.db")), "the store keeps its files in the clone"
    finally:
        os.killpg(start.pid, signal.SIGINT)  # Ctrl-C in the user's terminal
        try:
            start.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(start.pid, signal.SIGKILL)
            raise
    assert "stopped." in log_path.read_text()
    time.sleep(1)
    assert port_free(5682 + offset), "the RabbitMQ node still runs after Ctrl-C"
    assert port_free(8080 + offset) and port_free(27101 + offset), "a process outlived Ctrl-C"
