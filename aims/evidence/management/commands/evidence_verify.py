from django.core.management.base import BaseCommand, CommandError

from aims.evidence.services import shared_files, verify_evidence
from aims.organizations.models import Organization


def _plain(text: str) -> str:
    """User text made safe for a terminal: no control characters (escape sequences)."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


class Command(BaseCommand):
    help = (
        "Re-hash every stored file (evidence files and check data uploads) and name each "
        "altered or missing one with the evidence records that share it; exit 1 when any is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only the files of this organization (slug).")

    def handle(self, *args, org=None, **options):
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization with slug {_plain(org)!r}.")
        report = verify_evidence(organization)
        for blob, records in report.damaged:
            self.stdout.write(
                f"{blob.integrity.upper()} sha256 {blob.sha256}, "
                f"shared by {len(records)} evidence record(s):"
            )
            if not records:
                self.stdout.write("  in no evidence record (a check's uploaded data file)")
            for file in shared_files(blob, organization):
                evidence = file.revision.evidence
                self.stdout.write(
                    f"  {evidence.organization.slug} evidence {evidence.pk} "
                    f"\u201c{_plain(evidence.title)}\u201d: "
                    f"{_plain(file.original_name)} (revision {file.revision.number})"
                )
        self.stdout.write(report.summary())
        if report.problems:
            raise CommandError(
                f"Evidence verification failed: {len(report.damaged)} stored file(s) altered "
                "or missing."
            )
