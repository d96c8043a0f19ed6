"""Evidence: recording files and links, and new revisions of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims.core.areas import record_links
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from . import storage
from .models import DAMAGED, Blob, Evidence, EvidenceFile, Integrity, Kind, Revision
from .uploads import check_upload


def _check_dates(effective_from, valid_until):
    if valid_until and effective_from and valid_until < effective_from:
        raise ValidationError({"valid_until": "The evidence cannot expire before it takes effect."})


def _check_links(evidence: Evidence, links: dict) -> dict:
    org_id = evidence.organization_id
    known = {link.name for link in record_links()}
    for name, objects in links.items():
        if name not in known:
            raise ValueError(f"unknown link {name}")
        if any(getattr(o, "organization_id", org_id) != org_id for o in objects):
            raise ValidationError({name: "Links must point to records of this organization."})
    return links


def _store_files(revision: Revision, files) -> list[EvidenceFile]:
    stored = []
    for uploaded in files:
        content_type = check_upload(uploaded)
        uploaded.seek(0)
        sha, size = storage.store(uploaded.chunks())
        blob, _ = Blob.objects.get_or_create(sha256=sha, defaults={"size": size})
        if blob.damaged:  # the same content uploaded again: storage holds it intact once more
            _set_integrity(blob, Integrity.INTACT, timezone.now())
        stored.append(
            EvidenceFile.objects.create(
                revision=revision,
                blob=blob,
                original_name=uploaded.name[:255],
                content_type=content_type[:100],
            )
        )
    return stored


def validate_files(files) -> None:
    """Check every file before anything is written, so a bad file saves nothing."""
    errors = []
    for uploaded in files:
        try:
            check_upload(uploaded)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})


@transaction.atomic
def create_evidence(evidence: Evidence, *, actor, files=(), links: dict | None = None) -> Evidence:
    """Record new evidence: a link, or one or more files as its first revision."""
    files = list(files)
    _check_dates(evidence.effective_from, evidence.valid_until)
    if evidence.kind == Kind.LINK:
        if not evidence.url:
            raise ValidationError({"url": "Give the address of the evidence."})
        if files:
            raise ValidationError({"files": "A link is recorded without files."})
    elif not files:
        raise ValidationError({"files": "Choose at least one file to upload."})
    validate_files(files)
    evidence.created_by = actor
    save_governed(evidence, actor=actor, m2m=_check_links(evidence, links or {}))
    if files:
        revision = Revision.objects.create(
            evidence=evidence,
            number=1,
            effective_from=evidence.effective_from,
            created_by=actor,
            note="First version",
        )
        _store_files(revision, files)
    return evidence


# What a check run recorded stays as it was measured: its links may grow, nothing else changes.
RECORDED_FIELDS = ("title", "description", "kind", "url", "effective_from")
RECORDED = (
    "This evidence is the recorded result of a check run and cannot be changed; "
    "run the check again for a new result."
)


def check_run_of(evidence: Evidence):
    """The check run that recorded this evidence, if a check run did."""
    return getattr(evidence, "check_run", None) if evidence.pk else None


def _refuse_changes_to_a_recorded_result(evidence: Evidence) -> None:
    if check_run_of(evidence) is None:
        return
    stored = Evidence.objects.get(pk=evidence.pk)
    changed = [f for f in RECORDED_FIELDS if getattr(stored, f) != getattr(evidence, f)]
    if changed:
        raise ValidationError({field: RECORDED for field in changed})


@transaction.atomic
def update_evidence(evidence: Evidence, *, actor, links: dict | None = None) -> Evidence:
    _refuse_changes_to_a_recorded_result(evidence)
    _check_dates(evidence.effective_from, evidence.valid_until)
    if evidence.kind == Kind.LINK and not evidence.url:
        raise ValidationError({"url": "Give the address of the evidence."})
    return save_governed(evidence, actor=actor, m2m=_check_links(evidence, links or {}))


@transaction.atomic
def add_revision(
    evidence: Evidence, *, actor, files, note: str = "", effective_from=None, valid_until=None
) -> Revision:
    """Upload a new version of file evidence; earlier revisions stay readable."""
    files = list(files)
    if check_run_of(evidence) is not None:
        raise ValidationError(RECORDED)
    if evidence.kind != Kind.FILE:
        raise ValidationError("Only file evidence has revisions; edit the link instead.")
    if not files:
        raise ValidationError({"files": "Choose at least one file to upload."})
    validate_files(files)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if effective_from:
        evidence.effective_from = effective_from
    if valid_until is not None:
        evidence.valid_until = valid_until
    _check_dates(evidence.effective_from, evidence.valid_until)
    number = (evidence.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = Revision.objects.create(
        evidence=evidence,
        number=number,
        note=note,
        effective_from=evidence.effective_from,
        created_by=actor,
    )
    stored = _store_files(revision, files)
    save_governed(evidence, actor=actor)
    record(
        evidence.organization,
        actor=actor,
        instance=evidence,
        action=Action.UPDATE,
        changes={
            "revision": [number - 1, number],
            "files": [None, [f"{f.original_name} sha256:{f.blob.sha256}" for f in stored]],
        },
        note=note,
    )
    return revision


@transaction.atomic
def delete_evidence(evidence: Evidence, *, actor) -> None:
    if check_run_of(evidence) is not None:
        raise ValidationError(RECORDED)
    delete_governed(evidence, actor=actor)


# --- Integrity of stored files ---------------------------------------------------------------


@dataclass
class IntegrityReport:
    """What one ``aims evidence verify`` found: files re-hashed, and the damaged ones with the
    evidence records that share each."""

    checked: int = 0
    damaged: list[tuple[Blob, list[Evidence]]] = field(default_factory=list)

    @property
    def problems(self) -> bool:
        return bool(self.damaged)

    @property
    def records_affected(self) -> int:
        """Evidence records with at least one damaged file, each counted once."""
        return len({record.pk for _, records in self.damaged for record in records})

    def summary(self) -> str:
        if not self.damaged:
            return f"{self.checked} stored file(s) re-hashed; all intact."
        return (
            f"{self.checked} stored file(s) re-hashed; {len(self.damaged)} altered or missing, "
            f"affecting {self.records_affected} evidence record(s)."
        )


def sharing(blob: Blob, organization=None):
    """The evidence records whose files (in any revision) are this stored file."""
    records = Evidence.objects.filter(
        pk__in=EvidenceFile.objects.filter(blob=blob).values("revision__evidence")
    ).select_related("organization")
    return records.filter(organization=organization) if organization is not None else records


def shared_files(blob: Blob, organization=None):
    """The files of evidence records (in any revision) that are this stored file, by
    organization, record and revision: what a damaged stored file breaks."""
    files = EvidenceFile.objects.filter(blob=blob).select_related(
        "revision__evidence__organization"
    )
    if organization is not None:
        files = files.filter(revision__evidence__organization=organization)
    return files.order_by(
        "revision__evidence__organization__slug", "revision__evidence_id", "revision__number"
    )


def sharing_in_organization(evidence: Evidence) -> dict[str, list[Evidence]]:
    """For each stored file of ``evidence`` (by SHA-256), the other records of the same
    organization whose files are that stored file too. Records of other organizations are
    neither named nor counted: a file is stored once for every organization that uploads it."""
    files = (
        EvidenceFile.objects.filter(
            blob__in=EvidenceFile.objects.filter(revision__evidence=evidence).values("blob"),
            revision__evidence__organization_id=evidence.organization_id,
        )
        .exclude(revision__evidence=evidence)
        .select_related("revision__evidence")
        .order_by("revision__evidence__title", "revision__evidence_id")
    )
    shared: dict[str, list[Evidence]] = {}
    for file in files:
        records = shared.setdefault(file.blob_id, [])
        if file.revision.evidence not in records:
            records.append(file.revision.evidence)
    return shared


def _set_integrity(blob: Blob, state: str, now, note: str = "") -> None:
    """Store what a re-hash found; a change into or out of damage enters every sharing
    record's change trail."""
    before = blob.integrity
    Blob.objects.filter(pk=blob.pk).update(integrity=state, checked_at=now)
    blob.integrity, blob.checked_at = state, now
    if before == state or (before not in DAMAGED and state not in DAMAGED):
        return
    names = EvidenceFile.objects.filter(blob=blob)
    for evidence in sharing(blob):
        name = names.filter(revision__evidence=evidence).values_list("original_name", flat=True)
        record(
            evidence.organization,
            actor=None,
            instance=evidence,
            action=Action.UPDATE,
            changes={"integrity": [before, state]},
            note=note
            or f"Stored file {', '.join(name)} (sha256 {blob.sha256}): {blob.get_integrity_display()}.",
        )


def verify_evidence(organization=None) -> IntegrityReport:
    """Re-hash every stored file (the evidence files of one organization, or every stored file:
    check data uploads too) and record on each what was found; altered or missing files are
    listed with the evidence records that share them."""
    blobs = Blob.objects.all()
    if organization is not None:
        blobs = blobs.filter(files__revision__evidence__organization=organization)
    report = IntegrityReport()
    for sha in blobs.values_list("sha256", flat=True).distinct().order_by("sha256"):
        state = storage.state(sha)
        with transaction.atomic():
            blob = Blob.objects.select_for_update().get(pk=sha)
            _set_integrity(blob, state, timezone.now())
        report.checked += 1
        if state in DAMAGED:
            report.damaged.append((blob, list(sharing(blob, organization))))
    return report


def recheck(blob: Blob) -> str:
    """Re-hash one stored file (at a download, say) and record what was found when it differs
    from what was recorded; return the state."""
    state = storage.state(blob.sha256)
    if state != blob.integrity and (state in DAMAGED or blob.damaged):
        with transaction.atomic():
            locked = Blob.objects.select_for_update().get(pk=blob.pk)
            _set_integrity(locked, state, timezone.now())
        blob.integrity, blob.checked_at = locked.integrity, locked.checked_at
    return state


def last_integrity_check():
    """When stored files were last re-hashed, or None if never."""
    return Blob.objects.aggregate(last=Max("checked_at"))["last"]
