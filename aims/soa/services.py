"""Statement of Applicability: one entry per Annex A control per organization."""

from django.db import transaction

from aims.catalog.models import Control
from aims.organizations.models import Organization

from .models import SoAEntry


def ensure_soa_entries(organization: Organization) -> int:
    """Create the missing SoA entries of an organization; return how many were created."""
    existing = set(
        SoAEntry.objects.filter(organization=organization).values_list("control_id", flat=True)
    )
    missing = [
        SoAEntry(organization=organization, control=control)
        for control in Control.objects.exclude(pk__in=existing)
    ]
    SoAEntry.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def ensure_soa_entries_for_all() -> int:
    return sum(ensure_soa_entries(org) for org in Organization.objects.all())


@transaction.atomic
def update_entry(entry: SoAEntry, *, actor, risks=None) -> SoAEntry:
    """Save a decision on a control. A decided entry needs a justification, either way."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from aims.trail.services import save_governed

    from .models import Applicability

    if entry.applicability != Applicability.UNDECIDED and not entry.justification.strip():
        verb = "included" if entry.applicability == Applicability.APPLICABLE else "excluded"
        raise ValidationError(
            {"justification": f"Say why this control is {verb}; auditors ask for it either way."}
        )
    m2m = {}
    if risks is not None:
        if any(r.organization_id != entry.organization_id for r in risks):
            raise ValidationError({"risks": "Risks must belong to this organization."})
        m2m["risks"] = risks
    entry.updated_at = timezone.now()
    return save_governed(entry, actor=actor, m2m=m2m)
