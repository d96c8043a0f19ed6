from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from aims.catalog.models import Control
from aims.demo import DEMO_PASSWORD
from aims.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Create the demo organization Northwind Credit with people, AI systems, risks, an SoA "
        "and evidence (does nothing if it exists). Load the catalog first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo", help="The demo Owner (default: demo).")
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help="Password of the demo users created (default: %(default)s).",
        )

    def handle(self, *args, username, password, **options):
        if not Control.objects.exists():
            raise CommandError("The catalog is empty. Run `manage.py catalog_load` first.")
        try:
            org, user, created = load_demo(username=username, password=password)
        except ValidationError as exc:
            raise CommandError("The demo could not be built: " + " ".join(exc.messages)) from exc
        if not created:
            self.stdout.write(f"The demo organization {org.name} ({org.slug}) already exists.")
            return
        self.stdout.write(f"Created the demo organization {org.name} at /o/{org.slug}/.")
        self.stdout.write(f"Log in as {user.get_username()} with password {password}")
        self.stdout.write(
            "Colleagues (same password): priya.shah (AIMS Manager), tom.becker (Contributor), "
            "ines.moreau (Auditor), daniel.okafor (Viewer, top management)."
        )
