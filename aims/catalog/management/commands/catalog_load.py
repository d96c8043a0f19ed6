from django.core.management.base import BaseCommand, CommandError

from aims.catalog.loader import CatalogError, load_catalog


class Command(BaseCommand):
    help = "Load the frameworks shipped with OpenAIMS (idempotent: loading twice changes nothing)."

    def handle(self, *args, **options):
        try:
            report = load_catalog()
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            ("Catalog updated. " if report.changed else "Catalog unchanged. ") + str(report)
        )
