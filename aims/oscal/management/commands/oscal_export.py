"""Write an OSCAL 1.2.1 JSON document of an organization: ``aims oscal export KIND --org SLUG``.

The same documents as the OSCAL page and the API; links to the app's pages are relative unless
``--base-url`` gives the site's address.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from aims.audits.models import Audit
from aims.core.errors import Refused
from aims.organizations.models import Organization
from aims.oscal import exports
from aims.readiness.models import Assessment

KINDS = tuple(exports.BUILDERS)


class Command(BaseCommand):
    help = "Write an OSCAL 1.2.1 JSON document of an organization."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="which document")
        parser.add_argument("--org", required=True, metavar="SLUG", help="the organization")
        parser.add_argument(
            "--record",
            metavar="ID",
            help="readiness: the assessment's number; audit: its id (AUD-001) or number",
        )
        parser.add_argument("--output", metavar="FILE", help="write here instead of stdout")
        parser.add_argument(
            "--base-url",
            metavar="URL",
            default="",
            help="the site's address, to make links to its pages absolute",
        )

    def handle(self, *args, kind, org, record=None, output=None, base_url="", **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization {org!r}.")
        found = self.record_of(organization, kind, record)
        base = base_url.rstrip("/")
        try:
            document = exports.build(kind, organization, found, link=lambda path: base + path)
        except Refused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text)
            self.stderr.write(f"Wrote {output}")
        else:
            sys.stdout.write(text)

    def record_of(self, organization, kind: str, record: str | None):
        if kind not in ("readiness", "audit"):
            return None
        if not record:
            raise CommandError(f"{kind}: name the record with --record.")
        if kind == "readiness":
            found = Assessment.objects.for_org(organization).filter(
                pk=int(record) if record.isdigit() else 0
            )
        else:
            found = Audit.objects.for_org(organization).filter(
                **({"pk": int(record)} if record.isdigit() else {"ref__iexact": record})
            )
        if not found.exists():
            raise CommandError(f"No {kind} {record!r} in {organization.slug}.")
        return found.get()
