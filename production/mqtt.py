"""Cosmo on the MQTT broker: who may connect (credentials derived from a secret), what each may do (the
broker's password and ACL files), and the clients (paho-mqtt, MQTT 5).

Accounts: ``cosmo-floor`` reads every line's topic (the consumer, ``telemetry_listen``); each line
``line-<factory>-<line>`` may only publish to its own topic ``cosmo/<factory>/<line>/events``. A password
is an HMAC of the account name under ``COSMO_MQTT_SECRET``, so Cosmo can always tell a line its password
(``mqtt_credentials --show``) and write the broker's files without storing any.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from production.models import Line
from production.telemetry import topic_for

CONSUMER = "cosmo-floor"
# The consumer's session outlives a disconnect by this long (seconds): messages published meanwhile wait
# for it on the broker.
SESSION_EXPIRY = 7 * 24 * 3600


def line_account(line: Line) -> str:
    return f"line-{line.factory.code}-{line.code}"


def password_for(account: str) -> str:
    digest = hmac.new(settings.COSMO_MQTT_SECRET.encode(), f"mqtt:{account}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _password_hash(password: str) -> str:
    """Mosquitto's password-file hash: PBKDF2-HMAC-SHA512, 101 rounds, a 12-byte salt."""
    salt = os.urandom(12)
    hashed = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    return f"$7$101${base64.b64encode(salt).decode()}${base64.b64encode(hashed).decode()}"


def broker_files_write(folder: Path) -> tuple[Path, Path]:
    """Write `passwd` and `acl` for the broker into `folder`: Cosmo's consumer and every line."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = list(Line.objects.select_related("factory").order_by("factory__code", "code"))
    accounts = [CONSUMER] + [line_account(line) for line in lines]
    passwd = folder / "passwd"
    passwd.write_text("".join(f"{a}:{_password_hash(password_for(a))}\n" for a in accounts))
    passwd.chmod(0o600)
    acl = [f"user {CONSUMER}", "topic read cosmo/#", ""]
    for line in lines:
        acl += [f"user {line_account(line)}", f"topic write {topic_for(line.factory.code, line.code)}", ""]
    acl_path = folder / "acl"
    acl_path.write_text("\n".join(acl))
    acl_path.chmod(0o600)
    return passwd, acl_path


def client_connect(
    account: str, *, client_id: str, password: str | None = None, persistent: bool = False, timeout: float = 10.0
) -> mqtt.Client:
    """A connected MQTT 5 client (its network loop not started). `persistent`: the broker keeps the session
    (subscriptions and QoS 1 messages not yet acknowledged) for SESSION_EXPIRY seconds after a disconnect."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=persistent
    )
    client.username_pw_set(account, password if password is not None else password_for(account))
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = SESSION_EXPIRY if persistent else 0
    result: dict = {}
    client.on_connect = lambda c, userdata, flags, reason, props: result.setdefault("reason", reason)
    client.connect(
        settings.COSMO_MQTT_HOST, settings.COSMO_MQTT_PORT, keepalive=30, clean_start=not persistent, properties=properties
    )
    import time

    deadline = time.monotonic() + timeout
    while "reason" not in result and time.monotonic() < deadline:
        client.loop(0.1)
    reason = result.get("reason")
    if reason is None or reason.is_failure:
        client.disconnect()
        raise ConnectionError(f"MQTT connect as {account} refused: {reason}")
    return client


class Refused(Exception):
    """The broker refused a publication (e.g. not authorized for that topic)."""


def publish_all(client: mqtt.Client, messages: list[tuple[str, bytes]], *, timeout: float = 30.0) -> None:
    """Publish at QoS 1 and wait until the broker acknowledged every message; Refused when it refused one."""
    import time

    acks: dict[int, object] = {}
    client.on_publish = lambda c, userdata, mid, reason, props: acks.__setitem__(mid, reason)
    mids = []
    for topic, payload in messages:
        info = client.publish(topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise ConnectionError(f"publish to {topic} failed: {mqtt.error_string(info.rc)}")
        mids.append((info.mid, topic))
        client.loop(0)
    deadline = time.monotonic() + timeout
    while any(mid not in acks for mid, _ in mids):
        if time.monotonic() > deadline:
            raise TimeoutError("the broker did not acknowledge every message")
        client.loop(0.05)
    for mid, topic in mids:
        reason = acks[mid]
        if getattr(reason, "is_failure", False):
            raise Refused(f"the broker refused {topic}: {reason}")
