"""Documented information: writing, reviewing, approving, retiring and acknowledging documents.

Every change goes through one function here, inside a transaction, and is written to the change
trail. The rules:

* a document has one open version at a time (a draft or a version in review); editing an approved
  document starts the next draft;
* a version goes draft → in review → approved; refusing it in review sends it back to draft
  with a reason; approving it supersedes the version approved before;
* approval needs decision authority and someone other than the version's author; the AI policy
  needs top management (5.2);
* an approved version never changes; only the approved version in force can be acknowledged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause, Control
from aims.core.dates import add_months
from aims.core.errors import NeedsAuthority, Refused
from aims.evidence import storage
from aims.evidence.uploads import check_upload
from aims.organizations.models import Access, Membership, Role
from aims.trail.models import Action
from aims.trail.services import record, save_governed

from .models import (
    CONTENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Acknowledgement,
    Document,
    DocumentReview,
    DocumentVersion,
    Kind,
    State,
    Status,
)
from .starters import STARTERS, fill, values_for

# Kinds whose approved version members are asked to read and acknowledge (7.3).
READ_KINDS = (Kind.POLICY, Kind.PROCEDURE)
STATUS_OF_STATE = {
    State.DRAFT: Status.DRAFT,
    State.IN_REVIEW: Status.IN_REVIEW,
    State.APPROVED: Status.APPROVED,
    State.RETIRED: Status.RETIRED,
}


def membership_of(organization, user) -> Membership | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Membership.objects.filter(organization=organization, user=user).first()


def _require(organization, user, access: str, what: str) -> Membership:
    membership = membership_of(organization, user)
    if membership is None or not membership.can(access):
        raise PermissionDenied(f"Your role cannot {what} here.")
    return membership


def parse_roles(values) -> str:
    """Role values (a list or a comma-separated text) as stored; an unknown role is an error."""
    if isinstance(values, str):
        values = values.split(",")
    roles = [v.strip() for v in values or [] if v and v.strip()]
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise ValidationError(
            {
                "audience_roles": f"Unknown role: {', '.join(unknown)}. Choose from: "
                + ", ".join(Role.values)
                + "."
            }
        )
    return ",".join(role for role in Role.values if role in roles)


def requirements_named(clauses=(), controls=()) -> tuple[list[Clause], list[Control]]:
    """Catalog records by id, ignoring ids the catalog does not hold (for starters)."""
    return (
        list(Clause.objects.filter(ref__in=list(clauses))),
        list(Control.objects.filter(ref__in=list(controls))),
    )


def content_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


# --- Documents ----------------------------------------------------------------------------


def validate_document(document: Document, *, today: dt.date | None = None) -> None:
    """The rules of a document's metadata; each error names its field."""
    today = today or timezone.localdate()
    stored = Document.objects.filter(pk=document.pk).first() if document.pk else None
    errors = {}
    if not (document.title or "").strip():
        errors["title"] = "Give the document a title."
    if document.is_ai_policy and document.kind != Kind.POLICY:
        errors["is_ai_policy"] = "Only a document of kind Policy can be the AI policy."
    elif document.is_ai_policy and document.status != Status.RETIRED:
        other = (
            Document.objects.filter(organization_id=document.organization_id, is_ai_policy=True)
            .exclude(status=Status.RETIRED)
            .exclude(pk=document.pk)
            .first()
        )
        if other is not None:
            errors["is_ai_policy"] = (
                f"“{other.title}” is already the AI policy of this organization: there is one. "
                "Retire it first, or edit it instead."
            )
    if not 1 <= (document.review_months or 0) <= 60:
        errors["review_months"] = "Choose a review cycle from 1 to 60 months."
    changed_date = stored is None or stored.next_review != document.next_review
    if document.next_review is not None and changed_date and document.next_review < today:
        errors["next_review"] = (
            f"The next review date {document.next_review:%Y-%m-%d} is in the past: choose "
            "today or a later date."
        )
    try:
        document.audience_roles = parse_roles(document.audience_roles)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if (
        document.owner_id is not None
        and membership_of(document.organization, document.owner) is None
    ):
        errors["owner"] = "The owner must be a member of this organization."
    if errors:
        raise ValidationError(errors)


def store_upload(uploaded) -> dict:
    """Store an uploaded file by its content (the evidence store: outside any public folder);
    return the version's file fields. The original name is kept, without any folder."""
    try:
        content_type = check_upload(uploaded)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    sha, size = storage.store(uploaded.chunks())
    name = PurePath((uploaded.name or "document").replace("\\", "/")).name[:255] or "document"
    return {
        "file_sha256": sha,
        "file_name": name,
        "file_size": size,
        "file_content_type": content_type[:100],
    }


def _check_content(content: str, has_file: bool) -> None:
    if len(content or "") > CONTENT_MAX_LENGTH:
        raise ValidationError(
            {
                "content": f"Keep the text to {CONTENT_MAX_LENGTH:,} characters; upload a file "
                "for a longer document."
            }
        )
    if "\x00" in (content or ""):
        raise ValidationError({"content": "Remove the null character; it cannot be stored."})


def _sync(document: Document) -> None:
    """The document's status and latest version, from its versions (after a change)."""
    latest = document.versions.order_by("-number").first()
    document.latest_version = latest
    if document.status != Status.RETIRED and latest is not None:
        document.status = STATUS_OF_STATE.get(State(latest.state), Status.APPROVED)
    document.save(update_fields=["latest_version", "status", "updated_at"])


def _save_version(version: DocumentVersion, *, actor, note: str = "") -> DocumentVersion:
    version.content_sha256 = content_hash(version.content)
    return save_governed(version, actor=actor, organization=version.organization, note=note)


@transaction.atomic
def create_document(
    document: Document,
    *,
    actor,
    content: str = "",
    change_note: str = "",
    upload=None,
    clauses=None,
    controls=None,
    today: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Document:
    """A new document with its first version, a draft written by ``actor`` (``at``: when, for
    records brought in from before; now by default)."""
    _require(document.organization, actor, Access.CONTRIBUTE, "write documents")
    document.status = Status.DRAFT
    validate_document(document, today=today)
    file_fields = store_upload(upload) if upload is not None else {}
    _check_content(content, bool(file_fields))
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    save_governed(document, actor=actor, m2m=m2m)
    version = DocumentVersion(
        organization=document.organization,
        document=document,
        number=1,
        content=content or "",
        change_note=change_note or "First draft.",
        author=actor,
        created_at=at or timezone.now(),
        **file_fields,
    )
    _save_version(version, actor=actor)
    _sync(document)
    return document


@transaction.atomic
def update_document(
    document: Document, *, actor, clauses=None, controls=None, today: dt.date | None = None
) -> Document:
    """Save a document's metadata (title, kind, owner, classification, review cycle, audience,
    requirements); its text changes through :func:`save_draft`."""
    _require(document.organization, actor, Access.CONTRIBUTE, "edit documents")
    stored = Document.objects.select_for_update().get(pk=document.pk)
    if stored.status == Status.RETIRED:
        raise Refused(f"“{stored.title}” is retired: it no longer changes.")
    document.status = stored.status  # moved only by the transitions below
    document.approved_version_id = stored.approved_version_id
    document.latest_version_id = stored.latest_version_id
    validate_document(document, today=today)
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(document, actor=actor, m2m=m2m)


@transaction.atomic
def save_draft(
    document: Document,
    *,
    actor,
    content: str,
    change_note: str = "",
    upload=None,
    remove_file: bool = False,
    at: dt.datetime | None = None,
) -> DocumentVersion:
    """Write the document's text: into its draft, or into a new draft (the next number) when
    its latest version is approved. Refused while a version is in review or after retirement."""
    _require(document.organization, actor, Access.CONTRIBUTE, "edit documents")
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == Status.RETIRED:
        raise Refused(f"“{document.title}” is retired: it no longer changes.")
    latest = document.versions.order_by("-number").first()
    if latest is not None and latest.state == State.IN_REVIEW:
        raise Refused(
            f"Version {latest.number} is in review: it cannot change while it is reviewed. "
            "A reviewer sends it back to draft with a reason, or approves it."
        )
    file_fields = store_upload(upload) if upload is not None else {}
    if latest is None or latest.is_fixed:
        version = DocumentVersion(
            organization=document.organization,
            document=document,
            number=(latest.number + 1) if latest else 1,
            author=actor,
            created_at=at or timezone.now(),
        )
        if latest is not None and latest.has_file and not remove_file and not file_fields:
            # The new draft starts from the approved one, its file included.
            for name in ("file_sha256", "file_name", "file_size", "file_content_type"):
                setattr(version, name, getattr(latest, name))
        note = f"Version {version.number} started from version {latest.number}." if latest else ""
    else:
        version = latest
        note = ""
    _check_content(content, bool(file_fields) or version.has_file)
    version.content = content or ""
    version.change_note = (change_note or "")[:500]
    if remove_file:
        version.file_sha256, version.file_name, version.file_content_type = "", "", ""
        version.file_size = None
    for name, value in file_fields.items():
        setattr(version, name, value)
    _save_version(version, actor=actor, note=note)
    _sync(document)
    return version


def _transition(version: DocumentVersion, *, actor, to_state: str, note: str = "", action=None):
    before = version.state
    version.state = to_state
    version.save()
    record(
        version.organization,
        actor=actor,
        instance=version.document,
        action=action or Action.TRANSITION,
        changes={f"v{version.number}": [before, to_state]},
        note=note,
    )


def _locked(version: DocumentVersion) -> DocumentVersion:
    return (
        DocumentVersion.objects.select_for_update()
        .select_related("document", "organization")
        .get(pk=version.pk)
    )


def _not_retired(version: DocumentVersion) -> None:
    if version.document.status == Status.RETIRED:
        raise Refused(f"“{version.document.title}” is retired: it no longer changes.")


@transaction.atomic
def submit_for_review(
    version: DocumentVersion, *, actor, at: dt.datetime | None = None
) -> DocumentVersion:
    """Send a draft to review; it no longer changes until a reviewer sends it back."""
    version = _locked(version)
    _require(version.organization, actor, Access.CONTRIBUTE, "submit documents for review")
    _not_retired(version)
    if version.state != State.DRAFT:
        raise Refused(
            f"Version {version.number} is {version.get_state_display().lower()}: only a draft "
            "is submitted for review."
        )
    if not version.content.strip() and not version.has_file:
        raise ValidationError({"content": "Write the text (or upload a file) before review."})
    version.submitted_at, version.submitted_by = at or timezone.now(), actor
    version.refusal_reason = ""
    _transition(version, actor=actor, to_state=State.IN_REVIEW, note="Submitted for review.")
    _sync(version.document)
    return version


def approval_refusal(version: DocumentVersion, membership: Membership | None) -> str:
    """Why this member may not approve this version (empty when they may): for the page, which
    then shows the reason instead of the button, and for :func:`approve_version`."""
    document = version.document
    if membership is None or not membership.can(Access.DECIDE):
        return "Approval needs decision authority: an Owner, an AIMS Manager or top management."
    if version.author_id is not None and version.author_id == membership.user_id:
        return (
            f"You wrote version {version.number}: someone else with authority approves it "
            "(no one approves their own text)."
        )
    if document.is_ai_policy and not membership.is_top_management:
        return (
            "The AI policy is approved by top management (ISO/IEC 42001 5.2): ask a member "
            "marked as top management to approve it."
        )
    return ""


@transaction.atomic
def approve_version(
    version: DocumentVersion, *, actor, note: str = "", at: dt.datetime | None = None
) -> DocumentVersion:
    """Approve a version in review: it becomes the version in force, the one approved before
    is superseded, and the next review is due one review cycle later."""
    version = _locked(version)
    _not_retired(version)
    if version.state != State.IN_REVIEW:
        reasons = {
            State.DRAFT: "is a draft: submit it for review first",
            State.APPROVED: "is approved already",
            State.SUPERSEDED: "is superseded by a later approved version",
            State.RETIRED: "is retired",
        }
        raise Refused(
            f"Version {version.number} {reasons[State(version.state)]}; only a version in "
            "review can be approved."
        )
    membership = membership_of(version.organization, actor)
    reason = approval_refusal(version, membership)
    if reason:
        raise NeedsAuthority(reason)
    at = at or timezone.now()
    document = Document.objects.select_for_update().get(pk=version.document_id)
    previous = document.approved_version
    if previous is not None and previous.pk != version.pk and previous.state == State.APPROVED:
        previous.superseded_at = at
        _transition(
            previous,
            actor=actor,
            to_state=State.SUPERSEDED,
            note=f"Superseded by version {version.number}.",
        )
    version.approved_at, version.approved_by = at, actor
    version.approver_authority = membership.authority()
    _transition(
        version,
        actor=actor,
        to_state=State.APPROVED,
        action=Action.DECISION,
        note=note or f"Approved ({version.approver_authority}).",
    )
    document.approved_version = version
    document.next_review = add_months(timezone.localtime(at).date(), document.review_months)
    document.save(update_fields=["approved_version", "next_review", "updated_at"])
    _sync(document)
    return version


@transaction.atomic
def refuse_version(version: DocumentVersion, *, actor, reason: str) -> DocumentVersion:
    """Send a version in review back to draft, with the reviewer's reason."""
    version = _locked(version)
    _not_retired(version)
    membership = membership_of(version.organization, actor)
    if membership is None or not membership.can(Access.DECIDE):
        raise NeedsAuthority(
            "Sending a version back needs decision authority: an Owner, an AIMS Manager or top "
            "management."
        )
    if version.state != State.IN_REVIEW:
        raise Refused(
            f"Version {version.number} is {version.get_state_display().lower()}: only a "
            "version in review is sent back."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what must change, for the author."})
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {NOTE_MAX_LENGTH} characters."})
    version.refusal_reason = reason
    _transition(version, actor=actor, to_state=State.DRAFT, action=Action.DECISION, note=reason)
    _sync(version.document)
    return version


@transaction.atomic
def retire_document(document: Document, *, actor, reason: str) -> Document:
    """Withdraw a document: its approved version and any open draft are retired with it; it no
    longer counts for the controls it addressed. Retiring the AI policy needs top management."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    membership = membership_of(document.organization, actor)
    if membership is None or not membership.can(Access.DECIDE):
        raise NeedsAuthority(
            "Retiring a document needs decision authority: an Owner, an AIMS Manager or top "
            "management."
        )
    if document.is_ai_policy and not membership.is_top_management:
        raise NeedsAuthority("Retiring the AI policy needs top management (5.2).")
    if document.status == Status.RETIRED:
        raise Refused(f"“{document.title}” is retired already.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the document is withdrawn."})
    if len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason to {NOTE_MAX_LENGTH} characters."})
    open_versions = document.versions.filter(
        state__in=[State.DRAFT, State.IN_REVIEW, State.APPROVED]
    )
    for version in open_versions:
        _transition(version, actor=actor, to_state=State.RETIRED, note=reason)
    document.status, document.retired_at = Status.RETIRED, timezone.now()
    document.save(update_fields=["status", "retired_at", "updated_at"])
    record(
        document.organization,
        actor=actor,
        instance=document,
        action=Action.DECISION,
        changes={"status": [Status.APPROVED, Status.RETIRED]},
        note=reason,
    )
    _sync(document)
    return document


# --- Acknowledgements and reviews -------------------------------------------------------------


@transaction.atomic
def acknowledge(
    version: DocumentVersion, *, actor, at: dt.datetime | None = None
) -> Acknowledgement:
    """Record that ``actor`` read the approved version in force (7.3). Acknowledging again
    keeps the first record."""
    version = _locked(version)
    if membership_of(version.organization, actor) is None:
        raise PermissionDenied("Only a member of the organization acknowledges its documents.")
    document = version.document
    if document.status == Status.RETIRED or document.approved_version_id != version.pk:
        state = version.get_state_display().lower()
        raise Refused(
            f"Version {version.number} is {state}: only the approved version in force is "
            "acknowledged."
        )
    found = Acknowledgement.objects.filter(version=version, user=actor).first()
    if found is not None:
        return found
    acknowledgement = Acknowledgement.objects.create(
        organization=version.organization,
        version=version,
        user=actor,
        acknowledged_at=at or timezone.now(),
    )
    record(
        version.organization,
        actor=actor,
        instance=document,
        action=Action.UPDATE,
        changes={"acknowledged": [None, f"v{version.number}"]},
        note=f"{actor.get_username()} read version {version.number}.",
    )
    return acknowledgement


@transaction.atomic
def mark_reviewed(
    document: Document,
    *,
    actor,
    note: str,
    next_review: dt.date | None = None,
    today: dt.date | None = None,
) -> DocumentReview:
    """Record a periodic review (A.2.4) and when the next is due: one review cycle on, unless
    a date is given (not in the past)."""
    today = today or timezone.localdate()
    _require(document.organization, actor, Access.CONTRIBUTE, "review documents")
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.status == Status.RETIRED:
        raise Refused(f"“{document.title}” is retired: it is no longer reviewed.")
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = "Say what the review found, even “still fit for purpose”."
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note to {NOTE_MAX_LENGTH} characters."
    if next_review is None:
        next_review = add_months(today, document.review_months)
    elif next_review < today:
        errors["next_review"] = (
            f"The next review date {next_review:%Y-%m-%d} is in the past: choose today or a "
            "later date."
        )
    if errors:
        raise ValidationError(errors)
    review = DocumentReview.objects.create(
        organization=document.organization,
        document=document,
        reviewed_by=actor,
        reviewed_on=today,
        note=note,
        next_review=next_review,
    )
    before = document.next_review
    document.next_review = next_review
    document.save(update_fields=["next_review", "updated_at"])
    record(
        document.organization,
        actor=actor,
        instance=document,
        action=Action.UPDATE,
        changes={"next_review": [before.isoformat() if before else None, next_review.isoformat()]},
        note=f"Reviewed: {note}",
    )
    return review


# --- Starters ---------------------------------------------------------------------------------


@transaction.atomic
def create_from_starter(
    organization,
    key: str,
    *,
    actor,
    title: str = "",
    owner=None,
    at: dt.datetime | None = None,
) -> Document:
    """A new draft document from a starter, its placeholders filled with the organization's
    values (its name, scope, roles, ...)."""
    starter = STARTERS.get(key)
    if starter is None:
        raise ValidationError({"template": f"Unknown template: {key}."})
    is_ai_policy = starter.is_ai_policy
    if (
        is_ai_policy
        and Document.objects.filter(organization=organization, is_ai_policy=True)
        .exclude(status=Status.RETIRED)
        .exists()
    ):
        is_ai_policy = False  # a second one is an ordinary policy draft; the first stays
    document = Document(
        organization=organization,
        title=(title or starter.title)[:200],
        kind=starter.kind,
        summary=starter.description[:500],
        owner=owner or actor,
        is_ai_policy=is_ai_policy,
        audience_roles=",".join(starter.audience),
    )
    clauses, controls = requirements_named(starter.clauses, starter.controls)
    content = fill(starter.text(), values_for(organization))
    return create_document(
        document,
        actor=actor,
        content=content[:CONTENT_MAX_LENGTH],
        change_note=f"First draft from the “{starter.title}” template.",
        clauses=clauses,
        controls=controls,
        at=at,
    )
