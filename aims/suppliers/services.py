"""Suppliers and customers: every change goes through one function here, in the change trail.

Rules:

* the AI systems and data sets a third party is linked to belong to its organization;
* a relationship that ends is set to "ended" (the date is kept), not deleted;
* a third party with assessments is never deleted: the assessments are the history of how it
  was controlled (A.10.3); end the relationship instead;
* an assessment is dated today or earlier, and its next one falls after it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.core.errors import Refused
from aims.trail.services import delete_governed, save_governed

from .models import Status, SupplierAssessment, ThirdParty


def _same_org(records, organization, *, field: str, what: str) -> None:
    if any(r.organization_id != organization.pk for r in records):
        raise ValidationError({field: f"Choose {what} of this organization."})


@transaction.atomic
def save_third_party(
    third_party: ThirdParty,
    *,
    actor,
    systems=None,
    datasets=None,
    clauses=None,
    controls=None,
    today=None,
) -> ThirdParty:
    """Create or update a third party with its links (the lists given replace the links)."""
    today = today or timezone.localdate()
    taken = ThirdParty.objects.filter(organization=third_party.organization, name=third_party.name)
    if taken.exclude(pk=third_party.pk).exists():
        raise ValidationError({"name": "Another supplier or customer has this name already."})
    if third_party.status == Status.ENDED and third_party.ended_on is None:
        third_party.ended_on = today
    elif third_party.status == Status.ACTIVE:
        third_party.ended_on = None
    m2m = {}
    if systems is not None:
        _same_org(systems, third_party.organization, field="systems", what="AI systems")
        m2m["systems"] = systems
    if datasets is not None:
        _same_org(datasets, third_party.organization, field="datasets", what="data sets")
        m2m["datasets"] = datasets
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(third_party, actor=actor, m2m=m2m)


@transaction.atomic
def end_relationship(third_party: ThirdParty, *, actor, today=None) -> ThirdParty:
    if third_party.status == Status.ENDED:
        raise Refused(f"The relationship with {third_party.name} has ended already.")
    third_party.status = Status.ENDED
    third_party.ended_on = today or timezone.localdate()
    return save_governed(third_party, actor=actor, note="Relationship ended")


@transaction.atomic
def delete_third_party(third_party: ThirdParty, *, actor) -> None:
    """Delete a third party recorded by mistake; refused once it has been assessed."""
    count = third_party.assessments.count()
    if count:
        raise Refused(
            f"{third_party.name} has {count} assessment{'s' if count != 1 else ''}: they are the "
            "history of how this supplier was controlled (A.10.3) and are kept. End the "
            "relationship instead."
        )
    delete_governed(third_party, actor=actor)


@transaction.atomic
def record_assessment(assessment: SupplierAssessment, *, actor, today=None) -> SupplierAssessment:
    """Record an assessment of a third party."""
    today = today or timezone.localdate()
    errors = {}
    if assessment.assessed_on is not None and assessment.assessed_on > today:
        errors["assessed_on"] = "An assessment is recorded once done: choose today or earlier."
    if (
        assessment.assessed_on is not None
        and assessment.next_due is not None
        and assessment.next_due <= assessment.assessed_on
    ):
        errors["next_due"] = "The next assessment falls after this one."
    if errors:
        raise ValidationError(errors)
    third_party = assessment.third_party
    if (
        assessment.assessor_id is not None
        and not third_party.organization.memberships.filter(user_id=assessment.assessor_id).exists()
    ):
        raise ValidationError({"assessor": "Choose a member of this organization."})
    return save_governed(assessment, actor=actor, organization=third_party.organization)
