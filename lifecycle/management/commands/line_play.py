"""Play one line by hand: publish its events over MQTT with its own credentials, as a real line would."""

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cosmo import clock
from production.models import Line, LineFeed
from production.mqtt import Refused, client_connect, line_account, publish_all
from production.simulation.model import STATES
from production.telemetry import Refused as Malformed
from production.telemetry import event_parse, topic_for


class Command(BaseCommand):
    help = (
        "Publish one event of a line over MQTT, e.g. `line_play QD1/L3 state running --operation 12`, "
        "`line_play QD1/L3 start 12`, `line_play QD1/L3 finish 12 --good 2 --scrap 0`, `line_play QD1/L3 energy 812.5`; "
        "`line_play QD1/L3 reports on` hands the line over from the simulation to what it reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("line", help="FACTORY/LINE, e.g. QD1/L3")
        parser.add_argument("action", choices=["state", "start", "finish", "energy", "reports"])
        parser.add_argument("value", help="the state; the operation id; the meter reading in kWh; on or off")
        parser.add_argument("--reason", default="", help="why the line is in that state (e.g. failure, material)")
        parser.add_argument("--operation", type=int, help="the operation in hand (with state)")
        parser.add_argument("--good", type=int, help="good units (with finish)")
        parser.add_argument("--scrap", type=int, default=0, help="scrapped units (with finish)")
        parser.add_argument("--at", help="when, ISO 8601 with a time zone (default: the factory clock's now)")
        parser.add_argument("--seq", type=int, help="the sequence number (default: the line's next one)")
        parser.add_argument("--password", help="the line's password (default: Cosmo's own for the line)")

    def handle(self, *args, **o):
        factory_code, _, code = o["line"].partition("/")
        line = Line.objects.select_related("factory").filter(factory__code=factory_code, code=code).first()
        if line is None:
            raise CommandError(f"line: no line {o['line']!r} (FACTORY/LINE, e.g. QD1/L3)")
        if o["action"] == "reports":
            if o["value"] not in ("on", "off"):
                raise CommandError("reports: on or off")
            line.reports = o["value"] == "on"
            line.save(update_fields=["reports"])
            self.stdout.write(f"{line.name} {'reports its own events' if line.reports else 'is simulated again'}")
            return
        payload = self._payload(line, o)
        topic = topic_for(factory_code, code)
        try:
            event_parse(topic, payload)
        except Malformed as exc:
            raise CommandError(str(exc)) from None
        account = line_account(line)
        try:
            client = client_connect(account, client_id=f"{account}-play", password=o["password"])
        except ConnectionError as exc:
            raise CommandError(str(exc)) from None
        try:
            publish_all(client, [(topic, json.dumps(payload).encode())])
        except Refused as exc:
            raise CommandError(str(exc)) from None
        finally:
            client.disconnect()
        self._seq_save(line, payload["seq"])
        self.stdout.write(f"published seq {payload['seq']} on {topic}: {payload['type']}")

    def _payload(self, line, o) -> dict:
        at = o["at"] or clock.now().replace(microsecond=0).isoformat()
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            raise CommandError("--at: an ISO 8601 date-time is required") from None
        if timezone.is_naive(moment):
            raise CommandError("--at: a time zone is required")
        payload = {"v": 1, "factory": line.factory.code, "line": line.code, "seq": o["seq"] or self._seq_next(line), "at": at}
        action, value = o["action"], o["value"]
        if action == "state":
            if value not in STATES:
                raise CommandError(f"state: one of {', '.join(STATES)}")
            payload |= {"type": "state", "state": value, "reason": o["reason"], "operation": o["operation"]}
        elif action in ("start", "finish"):
            if not value.isdigit():
                raise CommandError(f"{action}: the operation's id (a whole number)")
            payload |= {"type": "op_started" if action == "start" else "op_finished", "operation": int(value)}
            if action == "finish":
                if o["good"] is None:
                    raise CommandError("finish: --good is required")
                payload |= {"good": o["good"], "scrap": o["scrap"]}
        else:
            try:
                payload |= {"type": "energy", "meter_kwh": float(value)}
            except ValueError:
                raise CommandError("energy: the meter reading in kWh (a number)") from None
        return payload

    def _seq_file(self, line) -> Path:
        return Path(settings.VAR_DIR) / "line_play" / f"{line.factory.code}-{line.code}.json"

    def _seq_next(self, line) -> int:
        path = self._seq_file(line)
        played = json.loads(path.read_text())["seq"] if path.exists() else 0
        applied = LineFeed.objects.filter(line=line).values_list("last_seq", flat=True).first() or 0
        return max(played, applied) + 1

    def _seq_save(self, line, seq: int) -> None:
        path = self._seq_file(line)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"seq": seq}))
