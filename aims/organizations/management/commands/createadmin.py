import getpass
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aims.cli import add_createadmin_arguments
from aims.organizations.services import create_organization

EXIT_USAGE = 2  # as argparse exits on bad usage
PROMPT_ATTEMPTS = 3
NO_PASSWORD = (
    "No terminal to ask for the password: pass --password PASSWORD, or --password-stdin "
    "with the password on standard input."
)


class Command(BaseCommand):
    help = (
        "Create a user who can log in, and optionally a new organization that they own. "
        "Without --password or --password-stdin the password is asked for, twice, when a "
        "terminal is there."
    )

    def add_arguments(self, parser):
        add_createadmin_arguments(parser)

    def handle(
        self, *args, username, email, password=None, password_stdin=False, org=None, **options
    ):
        if password is None and not password_stdin and not self.at_a_terminal():
            # Said first, before the database is read: a script learns at once what it lacks.
            raise CommandError(NO_PASSWORD, returncode=EXIT_USAGE)
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        if password_stdin:
            password = self.read_stdin()
        if password is None:
            password = self.ask(user)
        self.validate(password, user)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            organization = create_organization(name=org, owner=user) if org else None
        self.stdout.write(
            f"Created {username}"
            + (f", Owner of {organization.name} ({organization.slug})" if organization else "")
            + "."
        )

    def read_stdin(self) -> str:
        """The first line of standard input, without its line ending."""
        line = self.stdin().readline().rstrip("\r\n")
        if not line:
            raise CommandError("--password-stdin read no password.", returncode=EXIT_USAGE)
        return line

    def ask(self, user) -> str:
        """Ask twice, hidden, until the two agree and Django's password validators accept it;
        without a terminal, say how to give the password instead (exit 2, no traceback)."""
        if not self.at_a_terminal():
            raise CommandError(NO_PASSWORD, returncode=EXIT_USAGE)
        for _ in range(PROMPT_ATTEMPTS):
            try:
                password = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ")
            except (EOFError, KeyboardInterrupt):
                self.stderr.write("")
                raise CommandError("No password given; nothing created.") from None
            if password != again:
                self.stderr.write("The passwords do not match. Try again.")
            elif not password:
                self.stderr.write("The password cannot be empty. Try again.")
            else:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    self.stderr.write("Password refused: " + " ".join(exc.messages) + " Try again.")
                else:
                    return password
        raise CommandError(
            f"No acceptable password after {PROMPT_ATTEMPTS} tries; nothing created."
        )

    @staticmethod
    def validate(password: str, user) -> None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc

    @staticmethod
    def stdin():
        return sys.stdin

    def at_a_terminal(self) -> bool:
        stdin = self.stdin()
        return stdin is not None and stdin.isatty()
