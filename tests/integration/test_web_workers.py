"""The web tier spreads kept-alive connections over its workers (cosmo/web_worker.py): real gunicorn with
the repository's settings, two workers of four threads, eight clients that keep their connections."""

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.broker import free_port

ROOT = Path(__file__).resolve().parents[2]


def established_by_process(pid: int, port: int) -> int:
    """How many established TCP connections on the server's `port` this process holds open."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.readlines()[1:]:
                fields = row.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":
                    inodes.add(fields[9])
    held = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            held += 1
    return held


@pytest.mark.slow
def test_eight_kept_alive_clients_are_spread_four_and_four(tmp_path):
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cosmo.settings", DEBUG="1", COSMO_VAR_DIR=str(tmp_path),
               SECURE_SSL_REDIRECT="0", WEB_CONCURRENCY="2", GUNICORN_THREADS="4", GUNICORN_BIND=f"127.0.0.1:{port}")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "cosmo.wsgi"], cwd=ROOT, env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    clients = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/favicon.ico")
                assert probe.getresponse().status == 204
                probe.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert len(children) == 2
        for _ in range(8):
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            client.request("GET", "/favicon.ico")
            response = client.getresponse()
            response.read()
            assert response.status == 204 and response.getheader("Connection", "").lower() != "close"
            clients.append(client)
        time.sleep(0.5)  # the probe's closed connection is forgotten by its worker
        held = sorted(established_by_process(int(pid), port) for pid in children)
        assert held == [4, 4]
    finally:
        for client in clients:
            client.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
