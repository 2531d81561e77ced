"""A private Mosquitto broker for the tests: its own port, config, password file, ACL and persistence,
started and stopped by the test session (the system's broker on 1883 is never touched)."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
import json
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.config = folder / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {folder / 'passwd'}",
            f"acl_file {folder / 'acl'}",
            "persistence true",
            f"persistence_location {folder / 'data'}/",
            f"log_dest file {folder / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        if os.geteuid() == 0:
            lines.append(f"user {getpass.getuser()}")  # keep reading our own files instead of dropping to 'mosquitto'
        self.config.write_text("\n".join(lines) + "\n")
        for name in ("passwd", "acl"):
            (folder / name).touch(mode=0o600)

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.process.stderr.read().decode()} {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen in time")

    def stop(self) -> None:
        """Stop our broker (it saves its persistence file on the way out)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def reload(self) -> None:
        """Re-read the password file and ACL."""
        self.process.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text() if path.exists() else ""


def listen(broker, idle=0.6, seconds=None):
    """Run Cosmo's consumer (the broker's client id) until no message came for `idle` seconds."""
    from lifecycle.telemetry import TelemetryListener

    listener = TelemetryListener(client_id=broker.client_id)
    try:
        return listener.run(idle=idle, seconds=seconds)
    finally:
        listener.close()


class LineClient:
    """A line on the broker with its own credentials, numbering its messages."""

    def __init__(self, line, account: str | None = None, password: str | None = None):
        from production.mqtt import line_account

        self.line = line
        self.account = account or line_account(line)
        self.password = password
        self.seq = 0

    def message(self, at, kind, seq=None, **fields):
        from production.telemetry import topic_for

        if seq is None:
            self.seq += 1
            seq = self.seq
        payload = {"v": 1, "factory": self.line.factory.code, "line": self.line.code, "seq": seq,
                   "at": at.isoformat(), "type": kind, **fields}
        return topic_for(self.line.factory.code, self.line.code), json.dumps(payload).encode()

    def send(self, messages):
        from production.mqtt import client_connect, publish_all

        client = client_connect(self.account, client_id=f"{self.account}-test", password=self.password)
        try:
            publish_all(client, messages)
        finally:
            client.disconnect()


