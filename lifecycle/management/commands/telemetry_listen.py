"""Cosmo's consumer of the lines' MQTT events: applies each exactly once to the floor's records."""

from django.core.management.base import BaseCommand

from lifecycle.telemetry import TelemetryListener
from production.mqtt import CONSUMER


class Command(BaseCommand):
    help = "Consume every line's events from the MQTT broker (COSMO_MQTT_HOST/PORT) into the floor's records."

    def add_arguments(self, parser):
        parser.add_argument("--client-id", default=CONSUMER, help="the persistent session's client id")
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: never)")
        parser.add_argument("--idle", type=float, default=None, help="stop once no message came for this long")

    def handle(self, *args, **options):
        listener = TelemetryListener(client_id=options["client_id"])
        self.stdout.write(f"listening as {options['client_id']}", ending="\n")
        self.stdout.flush()
        try:
            totals = listener.run(seconds=options["seconds"], idle=options["idle"])
        except KeyboardInterrupt:
            totals = listener.totals
        finally:
            listener.close()
        self.stdout.write(
            f"applied {totals.applied}, held {totals.held}, duplicates {totals.duplicates}, refused {totals.refused}"
        )
