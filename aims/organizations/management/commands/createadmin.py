import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aims.organizations.services import create_organization


class Command(BaseCommand):
    help = "Create a user who can log in, and optionally a new organization that they own."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Asked for when not given (safer).")
        parser.add_argument("--org", help="Name of an organization to create with this Owner.")

    def handle(self, *args, username, email, password=None, org=None, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            organization = create_organization(name=org, owner=user) if org else None
        self.stdout.write(
            f"Created {username}"
            + (f", Owner of {organization.name} ({organization.slug})" if organization else "")
            + "."
        )
