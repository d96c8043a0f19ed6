"""Incidents and concerns: every change goes through one function here, in one transaction,
recorded in the change trail. Pages, the API and the demo all call these."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Control
from aims.checks.models import Alert, CheckRun, RunStatus
from aims.core.errors import Refused
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import (
    Communication,
    Concern,
    ConcernChannel,
    ConcernIntake,
    ConcernStatus,
    Incident,
    IncidentStatus,
    Severity,
    TimelineEntry,
    new_token,
)

INCIDENT_CONTROLS = ("A.8.4",)  # communication of incidents
RAISED_CONCERN_CONTROLS = ("A.3.3",)  # a concern raised shows the reporting process works
CONCERN_CONTROLS = ("A.3.3", "A.8.4")  # reporting of concerns, and the incident it became

# --- Incidents ---------------------------------------------------------------------------------


def _check_incident(incident: Incident, now) -> dict[str, str]:
    errors: dict[str, str] = {}
    org_id = incident.organization_id
    if incident.system_id and incident.system.organization_id != org_id:
        errors["system"] = "The AI system must belong to this organization."
    if incident.check_run_id and incident.check_run.organization_id != org_id:
        errors["check_run"] = "The check run must belong to this organization."
    if incident.alert_id and incident.alert.organization_id != org_id:
        errors["alert"] = "The alert must belong to this organization."
    occurred, aware = incident.occurred_at, incident.became_aware_at
    if occurred and occurred > now:
        errors["occurred_at"] = "An incident cannot have occurred in the future."
    if aware and aware > now:
        errors["became_aware_at"] = (
            "The organization cannot become aware of an incident in the future: give the date "
            "and time it learned of it (now or earlier). The reporting deadline is counted from it."
        )
    elif occurred and aware and aware < occurred:
        errors["became_aware_at"] = (
            "The organization cannot have become aware of the incident before it occurred."
        )
    for name in ("contained_at", "resolved_at"):
        value = getattr(incident, name)
        if value and occurred and value < occurred:
            errors[name] = "This cannot be before the incident occurred."
        elif value and value > now:
            errors[name] = "Give a time now or earlier."
    if incident.is_serious and not incident.serious_type:
        errors["serious_type"] = (
            "Say which kind of serious incident it is: the reporting deadline depends on it."
        )
    if not incident.is_serious:
        incident.serious_type = ""
    if incident.reported_to_authority_at and incident.reported_to_authority_at > now:
        errors["reported_to_authority_at"] = "Give a time now or earlier."
    return errors


@transaction.atomic
def save_incident(
    incident: Incident, *, actor, risks=None, clauses=None, controls=None, now=None
) -> Incident:
    """Create or update an incident. Refused: awareness in the future or before the incident
    occurred; a serious incident without its type; links to another organization's records.
    The reporting deadline of a serious incident is computed here, from the awareness."""
    now = now or timezone.now()
    errors = _check_incident(incident, now)
    if risks is not None and any(r.organization_id != incident.organization_id for r in risks):
        errors["risks"] = "Risks must belong to this organization."
    if errors:
        raise ValidationError(errors)
    incident.report_due_at = incident.reporting_deadline(now=now)
    m2m = {}
    if risks is not None:
        m2m["risks"] = risks
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    elif incident.pk is None:
        m2m["controls"] = list(Control.objects.filter(ref__in=INCIDENT_CONTROLS))
    if incident.pk is None and incident.created_by_id is None and getattr(actor, "pk", None):
        incident.created_by = actor
    return save_governed(incident, actor=actor, m2m=m2m)


def transition_refusal(incident: Incident, to: str) -> str | None:
    """Why ``incident`` may not move to ``to`` now; None when it may."""
    if to not in IncidentStatus.values:
        return f"“{to}” is not a status of an incident."
    if incident.next_status != to:
        if incident.status == IncidentStatus.CLOSED:
            return "The incident is closed: it does not move any more."
        return (
            f"An incident moves open → contained → resolved → closed: from "
            f"{incident.get_status_display().lower()} it can only become "
            f"{incident.next_status.label.lower()}."
        )
    if to == IncidentStatus.CONTAINED and not incident.containment_actions.strip():
        return "Write the containment actions first: what was done to stop the harm."
    if to == IncidentStatus.RESOLVED and not incident.corrective_actions.strip():
        return "Write the corrective actions first: what was done so it does not happen again."
    if to == IncidentStatus.CLOSED:
        if not incident.root_cause.strip():
            return "Write the root cause first: an incident is closed only once it is understood."
        if incident.awaits_report:
            return (
                "This serious incident has not been reported to the authority yet: record the "
                "report before closing it."
            )
    return None


@transaction.atomic
def transition(incident: Incident, to: str, *, actor, now=None) -> Incident:
    """Move an incident one step forward; each step records its time if not yet given."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().select_related("system").get(pk=incident.pk)
    reason = transition_refusal(incident, to)
    if reason:
        raise Refused(reason)
    incident.status = to
    if to == IncidentStatus.CONTAINED and incident.contained_at is None:
        incident.contained_at = now
    if to == IncidentStatus.RESOLVED and incident.resolved_at is None:
        incident.resolved_at = now
    save_governed(incident, actor=actor, note=f"Status: {IncidentStatus(to).label}.")
    add_timeline_entry(
        incident, actor=actor, when=now, what=f"Status changed to {IncidentStatus(to).label}."
    )
    return incident


@transaction.atomic
def mark_reported(incident: Incident, *, actor, reference: str = "", when=None) -> Incident:
    """Record that a serious incident was reported to the authority (now, unless told)."""
    now = timezone.now()
    when = when or now
    if not incident.is_serious:
        raise Refused("Only a serious incident is reported to the authority under Art. 73.")
    if incident.reported_to_authority_at is not None:
        when_reported = timezone.localtime(incident.reported_to_authority_at)
        raise Refused(f"Already reported on {when_reported:%Y-%m-%d %H:%M}.")
    if when > now:
        raise ValidationError({"reported_to_authority_at": "Give a time now or earlier."})
    if when < incident.became_aware_at:
        raise ValidationError(
            {"reported_to_authority_at": "It cannot be reported before the organization knew."}
        )
    incident.reported_to_authority_at = when
    incident.authority_reference = (reference or "").strip()
    save_governed(incident, actor=actor, note="Reported to the authority.")
    log_communication(
        incident,
        actor=actor,
        when=when,
        audience="authority",
        channel="Serious incident report",
        summary="Reported under EU AI Act Art. 73"
        + (
            f" (reference {incident.authority_reference})." if incident.authority_reference else "."
        ),
    )
    return incident


@transaction.atomic
def add_timeline_entry(incident: Incident, *, actor, when, what: str) -> TimelineEntry:
    if when > timezone.now():
        raise ValidationError({"when": "Give a time now or earlier."})
    if not (what or "").strip():
        raise ValidationError({"what": "Say what happened or was done."})
    entry = TimelineEntry(
        incident=incident,
        organization_id=incident.organization_id,
        when=when,
        what=what.strip(),
        who=actor if getattr(actor, "pk", None) else None,
    )
    entry.full_clean(exclude=["incident", "organization", "who"])
    return save_governed(entry, actor=actor, organization=incident.organization)


@transaction.atomic
def log_communication(
    incident: Incident, *, actor, when, audience: str, channel: str, summary: str
) -> Communication:
    if when > timezone.now():
        raise ValidationError({"when": "Give a time now or earlier."})
    message = Communication(
        incident=incident,
        organization_id=incident.organization_id,
        when=when,
        audience=audience,
        channel=(channel or "").strip(),
        summary=(summary or "").strip(),
        who=actor if getattr(actor, "pk", None) else None,
    )
    message.full_clean(exclude=["incident", "organization", "who"])
    return save_governed(message, actor=actor, organization=incident.organization)


def deletion_refusal(incident: Incident) -> str | None:
    if incident.status != IncidentStatus.OPEN:
        return (
            f"This incident is {incident.get_status_display().lower()}: its handling is governed "
            "history and stays. Only an open incident recorded by mistake may be deleted."
        )
    if incident.reported_to_authority_at is not None:
        return "This incident was reported to the authority: it stays."
    if incident.communications.exists():
        return "Communications about this incident were logged: it stays."
    return None


@transaction.atomic
def delete_incident(incident: Incident, *, actor) -> None:
    """Delete an open incident recorded by mistake (nothing was communicated about it)."""
    reason = deletion_refusal(incident)
    if reason:
        raise Refused(reason)
    Concern.objects.filter(incident=incident).update(
        incident=None, status=ConcernStatus.NEW, triaged_by=None, triaged_at=None
    )
    delete_governed(incident, actor=actor, note="Recorded by mistake.")


def _failed_thresholds(run: CheckRun) -> str:
    lines = []
    for item in run.threshold_results:
        if item.get("passed", True):
            continue
        if item.get("message"):
            lines.append(f"- {item['message']}")
            continue
        op = {"max": "at most", "min": "at least"}.get(item.get("op"), item.get("op", ""))
        lines.append(
            f"- {item.get('metric', '?')} = {item.get('value')}: must be {op} {item.get('limit')}."
        )
    if run.status == RunStatus.ERROR:
        lines.append(f"The check could not run: {run.error or 'no reason recorded'}.")
    return "\n".join(lines)


def incident_for_run(run: CheckRun) -> Incident | None:
    return Incident.objects.filter(check_run=run).order_by("pk").first()


@transaction.atomic
def open_from_run(run: CheckRun, *, actor, alert: Alert | None = None) -> tuple[Incident, bool]:
    """Open an incident from a failed (or erroring) check run, prefilled; or give the one
    already opened from it. Returns ``(incident, created)``."""
    run = CheckRun.objects.select_for_update().select_related("definition__system").get(pk=run.pk)
    existing = incident_for_run(run)
    if existing is not None:
        return existing, False
    if run.passed:
        raise Refused("This run passed: there is no failure to open an incident about.")
    if alert is None:
        alert = Alert.objects.filter(run=run).first() or Alert.objects.filter(last_run=run).first()
    check = run.definition
    failed = _failed_thresholds(run)
    now = timezone.now()
    incident = Incident(
        organization_id=run.organization_id,
        system=check.system,
        title=f"Check failed: {check.name}"[:200],
        what_happened=(
            f"The {check.get_kind_display().lower()} check “{check.name}” "
            f"{'failed' if run.status == RunStatus.FAILED else 'could not run'} on "
            f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}."
            + (f"\n\n{failed}" if failed else "")
        )[:10_000],
        severity=Severity.MEDIUM,
        occurred_at=min(run.started_at, now),
        became_aware_at=now,
        owner=check.system.owner,
        check_run=run,
        alert=alert,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    incident.organization = check.system.organization
    incident = save_incident(incident, actor=actor, risks=list(check.risks.all()), now=now)
    add_timeline_entry(incident, actor=actor, when=now, what="Opened from a failed check run.")
    return incident, True


def open_from_alert(alert: Alert, *, actor) -> tuple[Incident, bool]:
    """The same from an alert: the incident follows the alert's latest run."""
    run = alert.last_run or alert.run
    return open_from_run(run, actor=actor, alert=alert)


# --- Concerns ----------------------------------------------------------------------------------


@transaction.atomic
def raise_concern(
    organization,
    *,
    actor,
    text: str,
    system=None,
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_contact: str = "",
    channel: str = ConcernChannel.MEMBER,
    client_hash: str = "",
) -> Concern:
    """Record a concern. An anonymous one keeps no trace of who raised it: no user, no name,
    no contact, and the change trail names no actor."""
    if system is not None and system.organization_id != organization.pk:
        raise ValidationError({"system": "Choose an AI system of this organization."})
    user = actor if getattr(actor, "pk", None) else None
    concern = Concern(
        organization=organization,
        system=system,
        text=(text or "").strip(),
        anonymous=bool(anonymous),
        raised_by=None if anonymous else user,
        reporter_name="" if anonymous else (reporter_name or "").strip(),
        reporter_contact="" if anonymous else (reporter_contact or "").strip(),
        channel=channel,
        client_hash=client_hash,
    )
    concern.full_clean(exclude=["organization", "raised_by", "client_hash"])
    return save_governed(
        concern,
        actor=None if anonymous else user,
        m2m={"controls": list(Control.objects.filter(ref__in=RAISED_CONCERN_CONTROLS))},
    )


def _triage_check(concern: Concern) -> Concern:
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status != ConcernStatus.NEW:
        raise Refused(f"This concern was already triaged ({concern.get_status_display().lower()}).")
    return concern


def _triaged(concern: Concern, *, actor, status, reason: str, **links) -> Concern:
    concern.status = status
    concern.triaged_by = actor if getattr(actor, "pk", None) else None
    concern.triaged_at = timezone.now()
    concern.triage_reason = (reason or "").strip()
    for name, value in links.items():
        setattr(concern, name, value)
    concern.full_clean(exclude=["organization", "raised_by", "client_hash", "system"])
    return save_governed(concern, actor=actor)


@transaction.atomic
def triage_into_incident(
    concern: Concern, *, actor, title: str, severity: str = Severity.MEDIUM, reason: str = ""
) -> Incident:
    """Open an incident from a concern (prefilled from it) and link both."""
    concern = _triage_check(concern)
    if concern.system_id is None:
        raise ValidationError(
            {"system": "Say which AI system the incident is about: the concern names none."}
        )
    now = timezone.now()
    incident = Incident(
        organization=concern.organization,
        system=concern.system,
        title=(title or "").strip() or f"Concern {concern.pk}: {concern.summary(60)}",
        what_happened=f"Raised as a concern on {timezone.localtime(concern.created_at):%Y-%m-%d}:"
        f"\n\n{concern.text}"[:10_000],
        severity=severity,
        occurred_at=min(concern.created_at, now),
        became_aware_at=min(concern.created_at, now),
        owner=concern.system.owner,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    incident.full_clean(exclude=["organization", "system", "owner", "check_run", "alert"])
    incident = save_incident(
        incident,
        actor=actor,
        controls=list(Control.objects.filter(ref__in=CONCERN_CONTROLS)),
        now=now,
    )
    add_timeline_entry(incident, actor=actor, when=now, what=f"Opened from concern {concern.pk}.")
    _triaged(concern, actor=actor, status=ConcernStatus.INCIDENT, reason=reason, incident=incident)
    return incident


@transaction.atomic
def triage_into_risk(
    concern: Concern,
    *,
    actor,
    title: str,
    category: str,
    likelihood: int,
    impact: int,
    reason: str = "",
) -> Risk:
    """Record a risk from a concern (through the risk register's own service) and link both."""
    concern = _triage_check(concern)
    risk = Risk(
        organization=concern.organization,
        title=(title or "").strip() or f"Concern {concern.pk}: {concern.summary(60)}",
        description=f"Raised as a concern on {timezone.localtime(concern.created_at):%Y-%m-%d}:"
        f"\n\n{concern.text}"[:20_000],
        category=category,
        inherent_likelihood=likelihood,
        inherent_impact=impact,
    )
    risk.full_clean(exclude=["organization", "ref"])
    risk = save_risk(risk, actor=actor, systems=[concern.system] if concern.system_id else [])
    _triaged(concern, actor=actor, status=ConcernStatus.RISK, reason=reason, risk=risk)
    return risk


@transaction.atomic
def close_concern(concern: Concern, *, actor, reason: str) -> Concern:
    """Close a concern that needs no incident nor risk; the reason is required."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the concern is closed without further action."})
    concern = _triage_check(concern)
    return _triaged(concern, actor=actor, status=ConcernStatus.CLOSED, reason=reason)


# --- The public intake link ---------------------------------------------------------------------

PUBLIC_PER_ADDRESS_PER_HOUR = 5
PUBLIC_PER_ORGANIZATION_PER_HOUR = 50


class TooManyReports(Refused):
    status = 429


def intake_of(organization) -> ConcernIntake:
    """The organization's intake link (created, off, on first use)."""
    intake, _ = ConcernIntake.objects.get_or_create(organization=organization)
    return intake


@transaction.atomic
def set_intake(organization, *, actor, enabled: bool) -> ConcernIntake:
    intake = intake_of(organization)
    if intake.created_by_id is None and getattr(actor, "pk", None):
        intake.created_by = actor
    intake.enabled = bool(enabled)
    intake.changed_by = actor if getattr(actor, "pk", None) else None
    return save_governed(intake, actor=actor)


@transaction.atomic
def regenerate_token(organization, *, actor) -> ConcernIntake:
    """A new secret link; the old one stops working at once."""
    intake = intake_of(organization)
    intake.token = new_token()
    intake.changed_by = actor if getattr(actor, "pk", None) else None
    intake.save()
    record(
        organization,
        actor=actor,
        instance=intake,
        action=Action.UPDATE,
        note="A new public link was made; the previous one no longer works.",
    )
    return intake


def client_hash(organization, address: str) -> str:
    """A keyed hash of a client's address: enough to count its reports, not to recover it."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{organization.pk}:{address}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def public_report(
    intake: ConcernIntake,
    *,
    address: str,
    text: str,
    system=None,
    anonymous: bool = True,
    reporter_name: str = "",
    reporter_contact: str = "",
    now=None,
) -> Concern:
    """A concern from the public link. Refused (429, nothing stored) past the hourly limits:
    per client address, and for the whole organization."""
    now = now or timezone.now()
    organization = intake.organization
    if not intake.enabled:
        raise Refused("This link is not open.")
    hashed = client_hash(organization, address or "unknown")
    since = now - dt.timedelta(hours=1)
    recent = Concern.objects.filter(
        organization=organization, channel=ConcernChannel.PUBLIC, created_at__gte=since
    )
    if recent.filter(client_hash=hashed).count() >= PUBLIC_PER_ADDRESS_PER_HOUR:
        raise TooManyReports(
            "Too many reports from your connection in the last hour. Please try again later."
        )
    if recent.count() >= PUBLIC_PER_ORGANIZATION_PER_HOUR:
        raise TooManyReports("Too many reports were received in the last hour. Please try later.")
    if system is not None and (system.organization_id != organization.pk):
        raise ValidationError({"system": "Choose one of the listed systems."})
    return raise_concern(
        organization,
        actor=None,
        text=text,
        system=system,
        anonymous=anonymous,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        channel=ConcernChannel.PUBLIC,
        client_hash=hashed,
    )
