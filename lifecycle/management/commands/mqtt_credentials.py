"""The broker's password and ACL files for Cosmo's consumer and every line; a line's own credentials."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from production.models import Line
from production.mqtt import broker_files_write, line_account, password_for
from production.telemetry import topic_for


class Command(BaseCommand):
    help = "Write the Mosquitto password file and ACL (one account per line), or show one line's credentials."

    def add_arguments(self, parser):
        parser.add_argument("--out", default="var/mqtt", help="folder for passwd and acl (default var/mqtt)")
        parser.add_argument("--show", metavar="FACTORY/LINE", help="print this line's username, password and topic")

    def handle(self, *args, **options):
        if options["show"]:
            factory, _, code = options["show"].partition("/")
            line = Line.objects.select_related("factory").filter(factory__code=factory, code=code).first()
            if line is None:
                raise CommandError(f"--show: no line {options['show']!r} (FACTORY/LINE, e.g. QD1/L1)")
            account = line_account(line)
            self.stdout.write(f"username {account}\npassword {password_for(account)}\ntopic {topic_for(factory, code)}")
            return
        passwd, acl = broker_files_write(Path(options["out"]))
        self.stdout.write(f"wrote {passwd} and {acl}; point mosquitto's password_file and acl_file at them")
