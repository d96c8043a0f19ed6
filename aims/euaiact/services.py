"""Every change of the EU AI Act area goes through one function here, in the change trail.

Rules:

* a classification is written as a draft from the questionnaire's answers (the outcome is
  computed, never typed), and signed by someone with decision authority (an Owner, an AIMS
  Manager or top management). Signing supersedes the one signed before and sets the system's
  risk tier, in one transaction; from then on the tier changes only by a new classification;
* a signed classification is never edited or deleted: it is the record the Act asks for;
* a record names a system, people, checks and KPIs of its own organization only;
* a recourse request gets the next reference of its organization and a due date from the
  system's recourse channel; a closed request says when and how it was answered.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims.core.errors import NeedsAuthority, Refused
from aims.inventory.models import AISystem
from aims.organizations.models import Membership, Organization
from aims.proposals.services import DECIDERS, may_decide
from aims.trail.services import delete_governed, save_governed

from . import questionnaire
from .models import (
    ActProfile,
    Classification,
    ClassificationStatus,
    RecourseChannel,
    RecourseRequest,
    RegulatoryChange,
    basis_of,
)

# --- Classification -----------------------------------------------------------------------------


def outcome_fields(answers) -> dict:
    """The stored fields of a classification from its answers (raises ValidationError)."""
    try:
        cleaned = questionnaire.clean(answers)
        outcome = questionnaire.classify(cleaned)
    except questionnaire.AnswerError as error:
        raise ValidationError(error.errors) from None
    return {
        "answers": cleaned,
        "questionnaire_version": questionnaire.VERSION,
        "tier": outcome.tier,
        "roles": list(outcome.roles),
        "duties": list(outcome.duties),
        "reasons": [reason.as_dict() for reason in outcome.reasons],
        "exception": outcome.exception,
        "fria": outcome.fria,
        "gpai": outcome.gpai,
    }


def current_draft(system: AISystem) -> Classification | None:
    return Classification.objects.filter(system=system, status=ClassificationStatus.DRAFT).first()


def current_classification(system: AISystem) -> Classification | None:
    return Classification.objects.signed().filter(system=system).first()


@transaction.atomic
def save_draft(system: AISystem, answers, *, actor, note: str = "") -> Classification:
    """Write the system's draft classification from ``answers`` (the draft there is, or a new
    version): the tier, duties and reasons are computed from them."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    fields = outcome_fields(answers)
    draft = current_draft(system)
    if draft is None:
        last = Classification.objects.filter(system=system).aggregate(n=Max("number"))["n"]
        draft = Classification(
            organization_id=system.organization_id,
            system=system,
            number=(last or 0) + 1,
            prepared_by=actor,
        )
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.note = note
    draft.full_clean(exclude=["organization", "system", "prepared_by"])
    return save_governed(draft, actor=actor, organization=system.organization)


def sign_refusal(classification: Classification, user) -> str:
    """Why ``user`` may not sign ``classification`` (empty when they may)."""
    if classification.status != ClassificationStatus.DRAFT:
        return f"Classification {classification.number} is {classification.get_status_display().lower()} already."
    if not may_decide(classification.organization, user):
        return f"Signing a classification needs decision authority: {DECIDERS}."
    return ""


def _authority(organization, user) -> str:
    membership = Membership.objects.get(organization=organization, user=user)
    return membership.authority()


@transaction.atomic
def sign(classification: Classification, *, actor) -> Classification:
    """Sign the draft: it becomes the system's classification in force (the one signed before
    is superseded), its basis is the system as it is now, and the system takes its tier."""
    classification = Classification.objects.select_for_update().get(pk=classification.pk)
    refusal = sign_refusal(classification, actor)
    if refusal and classification.status != ClassificationStatus.DRAFT:
        raise Refused(refusal)
    if refusal:
        raise NeedsAuthority(refusal)
    system = AISystem.objects.select_for_update().get(pk=classification.system_id)
    organization = system.organization
    now = timezone.now()
    for earlier in Classification.objects.signed().filter(system=system):
        earlier.status, earlier.superseded_at = ClassificationStatus.SUPERSEDED, now
        save_governed(earlier, actor=actor, organization=organization)
    classification.status = ClassificationStatus.SIGNED
    classification.signed_by = actor
    classification.signed_at = now
    classification.signer_authority = _authority(organization, actor)
    classification.basis = basis_of(system)
    save_governed(classification, actor=actor, organization=organization)
    if system.risk_tier != classification.tier:
        system.risk_tier = classification.tier
        save_governed(
            system,
            actor=actor,
            note=f"Risk tier set by EU AI Act classification {classification.number}.",
        )
    return classification


@transaction.atomic
def delete_draft(classification: Classification, *, actor) -> None:
    classification = Classification.objects.select_for_update().get(pk=classification.pk)
    if classification.status != ClassificationStatus.DRAFT:
        raise Refused(
            "A signed classification is the record the Act asks for: it is kept. Classify the "
            "system again to replace it."
        )
    delete_governed(classification, actor=actor)


def tier_lock(system: AISystem) -> str:
    """Why the system's tier may not be set by hand (empty when it may): a signed
    classification sets it."""
    signed = current_classification(system)
    if signed is None:
        return ""
    return (
        f"Set by EU AI Act classification {signed.number}, signed on "
        f"{signed.signed_at.date().isoformat()}: classify the system again to change it."
    )


# --- Records ------------------------------------------------------------------------------------


def _same_org(organization, *, field: str, users=(), records=()) -> None:
    members = Membership.objects.filter(organization=organization)
    for user in users:
        if user is not None and not members.filter(user=user).exists():
            raise ValidationError({field: "Choose a member of this organization."})
    for record in records:
        if record.organization_id != organization.pk:
            raise ValidationError({field: "Choose a record of this organization."})


def _users_of(record) -> dict[str, object]:
    return {
        name: getattr(record, name)
        for name in ("person", "approved_by", "handled_by", "owner")
        if hasattr(record, name + "_id") and getattr(record, name + "_id") is not None
    }


@transaction.atomic
def save_record(record, *, actor, m2m: dict | None = None):
    """Create or update a record of this area (a :class:`SystemRecord`, a recourse request or
    channel, a regulatory change), with its many-to-many links (the lists given replace them)."""
    organization = record.organization
    if getattr(record, "system_id", None) is not None:
        _same_org(organization, field="system", records=[record.system])
    for name, user in _users_of(record).items():
        _same_org(organization, field=name, users=[user])
    for name, values in (m2m or {}).items():
        _same_org(organization, field=name, records=values)
        if name == "checks" and any(c.system_id != record.system_id for c in values):
            raise ValidationError({"checks": "Choose checks of this AI system."})
    record.full_clean()
    return save_governed(record, actor=actor, m2m=m2m)


def delete_record(record, *, actor) -> None:
    delete_governed(record, actor=actor)


def next_ref(organization, today: dt.date) -> str:
    """The next recourse request reference: R-<year>-<number>, counted in the year."""
    prefix = f"R-{today.year}-"
    refs = RecourseRequest.objects.filter(organization=organization, ref__startswith=prefix)
    numbers = [
        int(r[len(prefix) :])
        for r in refs.values_list("ref", flat=True)
        if r[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def receive_request(request: RecourseRequest, *, actor) -> RecourseRequest:
    """Record a new request: its reference, and its due date from the system's channel (or the
    default number of days) unless one is given."""
    organization = request.organization
    Organization.objects.select_for_update().get(pk=organization.pk)  # one reference at a time
    request.ref = next_ref(organization, request.received_on or timezone.localdate())
    if request.due_on is None and request.received_on is not None:
        channel = RecourseChannel.objects.filter(system_id=request.system_id).first()
        days = (
            channel.response_days
            if channel
            else RecourseChannel._meta.get_field("response_days").default
        )
        request.due_on = request.received_on + dt.timedelta(days=days)
    return save_record(request, actor=actor)


def save_change(change: RegulatoryChange, *, actor, systems=None) -> RegulatoryChange:
    return save_record(
        change, actor=actor, m2m={"systems": systems} if systems is not None else None
    )


def profile_of(organization) -> ActProfile:
    profile = ActProfile.objects.filter(organization=organization).first()
    return profile or ActProfile(organization=organization)


def save_profile(profile: ActProfile, *, actor) -> ActProfile:
    profile.full_clean()
    return save_governed(profile, actor=actor, organization=profile.organization)
