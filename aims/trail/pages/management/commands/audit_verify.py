from django.core.management.base import BaseCommand, CommandError

from aims.organizations.models import Organization
from aims.trail.services import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every organization's audit hash chain, name the first event that does not "
        "match or the newest events missing, and record where each intact chain was verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organization (slug).")

    def handle(self, *args, org=None, **options):
        organizations = Organization.objects.order_by("slug")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organization with slug {org!r}.")
        broken = []
        for organization in organizations:
            checked, chain_break = verify_chain(organization, checkpoint=True)
            if chain_break is None:
                self.stdout.write(f"{organization.slug}: intact, {checked} events checked")
            else:
                broken.append(chain_break)
                self.stdout.write(f"{organization.slug}: BROKEN at {chain_break}")
        if broken:
            raise CommandError(
                f"Audit trail verification failed for {len(broken)} organization(s). "
                f"First mismatch: {broken[0]}"
            )
