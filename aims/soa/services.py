"""Statement of Applicability: one entry per Annex A control per organization, and one per
additional control the organization adds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Control
from aims.core.errors import NeedsAuthority, Refused
from aims.organizations.models import Organization
from aims.proposals.services import DECIDERS, may_decide, propose
from aims.trail.services import delete_governed, save_governed

from .justification import justification_problem
from .models import AdditionalControl, Applicability, SoAEntry, is_blank


def ensure_soa_entries(organization: Organization) -> int:
    """Create the missing SoA entries of an organization; return how many were created."""
    existing = set(
        SoAEntry.objects.filter(organization=organization, control__isnull=False).values_list(
            "control_id", flat=True
        )
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


DECISION_FIELDS = ("applicability", "justification")
DECISION = "soa.decision"  # the kind of proposal a decision on a control is


def decision_changes(entry: SoAEntry) -> dict:
    """The parts of the decision (applicability, justification) ``entry`` changes from what is
    stored: ``{field: [stored, new]}``."""
    stored = SoAEntry.objects.filter(pk=entry.pk).values(*DECISION_FIELDS).first() or {}
    return {
        name: [stored.get(name), getattr(entry, name)]
        for name in DECISION_FIELDS
        if stored.get(name) != getattr(entry, name)
    }


def decision_problem(applicability: str, justification: str, *, changed: bool = True):
    """The field error of a decision, or None: the one rule of a justification, for the service,
    the form and the API alike. A decided control needs a justification, either way; a new or
    changed decision needs a meaningful one (:mod:`aims.soa.justification`). An unchanged older
    decision with a short justification is kept (and flagged on the SoA)."""
    if applicability == Applicability.UNDECIDED:
        return None
    verb = "included" if applicability == Applicability.APPLICABLE else "excluded"
    if is_blank(justification):
        return f"Say why this control is {verb}; auditors ask for it either way."
    if not changed:
        return None
    return justification_problem(justification, verb=verb)


def _check_decision(entry: SoAEntry, changed: bool) -> None:
    problem = decision_problem(entry.applicability, entry.justification, changed=changed)
    if problem:
        raise ValidationError({"justification": problem})


@transaction.atomic
def update_entry(entry: SoAEntry, *, actor, risks=None) -> SoAEntry:
    """Save a decision on a control. A decided entry needs a justification, either way.

    Deciding (applicability and its justification) needs decision authority: an Owner, an AIMS
    Manager or top management. Others may change the rest (implementation, owner, status,
    risks) and propose the decision (:func:`propose_decision`).
    """
    changed = bool(decision_changes(entry))
    if changed and not may_decide(entry.organization, actor):
        raise NeedsAuthority(
            f"Deciding whether {entry.ref} applies, and why, needs {DECIDERS}. "
            "Propose the decision instead; they approve or refuse it."
        )
    _check_decision(entry, changed)
    m2m = {}
    if risks is not None:
        if any(r.organization_id != entry.organization_id for r in risks):
            raise ValidationError({"risks": "Risks must belong to this organization."})
        m2m["risks"] = risks
    entry.updated_at = timezone.now()
    return save_governed(entry, actor=actor, m2m=m2m)


@transaction.atomic
def propose_decision(entry: SoAEntry, *, actor, risks=None):
    """Save what ``actor`` may change of ``entry`` and propose its decision to those with
    authority: the entry keeps its stored decision until they approve. Returns the proposal, or
    None when the decision did not change (everything was saved)."""
    changed = decision_changes(entry)
    if not changed:
        update_entry(entry, actor=actor, risks=risks)
        return None
    applicability, justification = entry.applicability, entry.justification
    _check_decision(entry, changed=True)
    for name, (stored, _new) in changed.items():
        setattr(entry, name, stored)
    update_entry(entry, actor=actor, risks=risks)
    label = Applicability(applicability).label
    return propose(
        entry.organization,
        actor=actor,
        kind=DECISION,
        record_of=entry,
        summary=f"Decide {entry.ref}: {label}",
        payload={"applicability": applicability, "justification": justification},
        reason=f"{label}: {justification.strip()}" if justification.strip() else label,
    )


def _check_ref(control: AdditionalControl) -> None:
    """An additional control's id names one control of the SoA: not an Annex A control's id,
    not another additional control's (whatever the case of the letters)."""
    ref = control.ref
    if Control.objects.filter(ref__iexact=ref).exists():
        raise ValidationError(
            {
                "ref": f"{ref} is the id of an Annex A control of ISO/IEC 42001, already in this "
                f"SoA. Give this control an id of its own, such as 27001-{ref}."
            }
        )
    taken = AdditionalControl.objects.filter(
        organization_id=control.organization_id, ref__iexact=ref
    ).exclude(pk=control.pk)
    if taken.exists():
        raise ValidationError({"ref": f"This SoA already has a control with the id {ref}."})


@transaction.atomic
def add_additional_control(control: AdditionalControl, *, actor) -> SoAEntry:
    """Add a control from another source to the organization's SoA, with its entry (not
    decided yet). Recorded in the change trail."""
    control.ref = control.ref.strip()
    _check_ref(control)
    save_governed(control, actor=actor)
    return SoAEntry.objects.create(organization=control.organization, additional_control=control)


@transaction.atomic
def change_additional_control(control: AdditionalControl, *, actor) -> AdditionalControl:
    """Save a changed id, title, source or description of an additional control."""
    control.ref = control.ref.strip()
    _check_ref(control)
    return save_governed(control, actor=actor)


@transaction.atomic
def remove_additional_control(entry: SoAEntry, *, actor) -> None:
    """Remove an additional control and its entry from the SoA, both recorded in the change
    trail. Refused for an Annex A control, and while evidence supports the control."""
    if not entry.is_additional:
        raise Refused(
            f"{entry.ref} is an Annex A control of ISO/IEC 42001: it stays in the Statement of "
            "Applicability. Mark it not applicable, with a justification, instead."
        )
    # Locked first, so evidence linked meanwhile is counted (or waits for the removal).
    entry = SoAEntry.objects.select_for_update().get(pk=entry.pk)
    linked = entry.evidence.count()
    if linked:
        raise Refused(
            f"{entry.ref} cannot be removed while evidence supports it ({linked} "
            f"{'piece' if linked == 1 else 'pieces'} of evidence). Unlink the evidence from it "
            "first, or keep the control and mark it not applicable."
        )
    control = entry.additional_control
    delete_governed(entry, actor=actor, note=f"Removed {control.ref} from the SoA.")
    delete_governed(control, actor=actor)
