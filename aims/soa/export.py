"""The Statement of Applicability as a document an auditor reads without the app.

:func:`build_export` gathers everything once: the document-control block (version, date,
approval, the AIMS scope), one row per control and one row per piece of evidence that supports a
control. :func:`to_csv`, :func:`control_csv` and :func:`to_xlsx` only lay them out. The CSV is
the table alone and starts with its header line, as every export of the app does; the
document-control block goes in a sidecar CSV offered next to it, and in the first sheet of the
XLSX.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from aims.catalog.models import Framework
from aims.core.areas import template_values
from aims.core.exports import append_safe_row, safe_csv_writer
from aims.evidence.models import DAMAGED, Evidence, Kind, State
from aims.organizations.models import Organization
from aims.risk.models import Risk
from aims.trail.models import AuditEvent

from .models import Applicability, Implementation, SoAEntry

TITLE = "Statement of Applicability (ISO/IEC 42001, 6.1.3 d)"

HEADER = [
    "Objective",
    "Control",
    "Title",
    "Source",
    "Applicable",
    "Reason for inclusion",
    "Justification for exclusion",
    "Implementation status",
    "Owner",
    "How it is implemented",
    "Linked risks",
    "Evidence ids",
    "Evidence",
    "Evidence SHA-256",
    "Evidence dates",
    "Evidence flags",
    "Flags",
    "Last changed",
]
# Column widths in characters for the XLSX, in HEADER order.
WIDTHS = [30, 12, 36, 22, 12, 45, 45, 20, 18, 45, 14, 12, 40, 70, 34, 34, 30, 17]

EVIDENCE_HEADER = [
    "Control",
    "Evidence id",
    "Title",
    "Kind",
    "File or link",
    "SHA-256",
    "Revision",
    "Effective from",
    "Valid until",
    "State",
    "Check run",
    "Flag",
]
EVIDENCE_WIDTHS = [12, 12, 45, 8, 40, 70, 9, 14, 14, 18, 22, 40]

CONTROL_HEADER = ["Field", "Value"]

ADDITIONAL_HEADING = "Additional controls (6.1.3 c)"

APPLICABLE_TEXT = {
    Applicability.APPLICABLE: "Yes",
    Applicability.EXCLUDED: "No",
    Applicability.UNDECIDED: "Not decided",
}

NOT_APPROVED = "Not approved"
# Record types of the SoA in the change trail: its version counts their changes.
SOA_RECORD_TYPES = ("soa.soaentry", "soa.additionalcontrol")


@dataclass(frozen=True)
class SoAExport:
    organization: str
    framework: str
    exported_at: str
    control: list[tuple[str, str]]  # the document-control block: (field, value)
    header: list[str]
    rows: list[list[str]]
    evidence_rows: list[list[str]]

    def preamble(self) -> list[list[str]]:
        """The document-control block as rows, title first."""
        return [[TITLE], *([field, value] for field, value in self.control)]


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def evidence_id(evidence: Evidence) -> str:
    """How the export names a piece of evidence: EV-12 is the app's evidence record 12."""
    return f"EV-{evidence.pk}"


@dataclass(frozen=True)
class EvidenceFacts:
    """What the export says of one piece of evidence."""

    ident: str
    title: str
    kind: str
    files: list[tuple[str, str]]  # (file name or link, SHA-256 or "")
    revision: str
    effective_from: str
    valid_until: str
    state: str
    check_run: str
    flags: list[str]

    @property
    def dates(self) -> str:
        until = f"valid until {self.valid_until}" if self.valid_until else "no expiry"
        return f"effective {self.effective_from}, {until}"


def evidence_facts(evidence: Evidence, today) -> EvidenceFacts:
    """Reads ``check_run`` and ``revisions__files__blob`` as :func:`build_export` prefetches
    them."""
    state = evidence.state(today)
    flags = []
    if state == State.EXPIRED:
        flags.append(f"EXPIRED on {evidence.valid_until:%Y-%m-%d}")
    elif state == State.NOT_YET_EFFECTIVE:
        flags.append(f"NOT YET EFFECTIVE (from {evidence.effective_from:%Y-%m-%d})")
    run = getattr(evidence, "check_run", None)
    run_text = ""
    if run is not None:
        run_text = f"{run.get_status_display()}, {timezone.localtime(run.started_at):%Y-%m-%d}"
        if not run.passed:
            flags.append(f"CHECK RUN {run.get_status_display().upper()}: not evidence of success")
    revisions = sorted(evidence.revisions.all(), key=lambda r: r.number)
    latest = revisions[-1] if revisions else None
    if evidence.kind == Kind.FILE:
        files = [(f.original_name, f.blob.sha256) for f in latest.files.all()] if latest else []
        if any(f.blob.integrity in DAMAGED for r in revisions for f in r.files.all()):
            flags.append("STORED FILE ALTERED OR MISSING")
        if not files:
            flags.append("NO FILE STORED")
    else:
        files = [(evidence.url, "")]
    return EvidenceFacts(
        ident=evidence_id(evidence),
        title=evidence.title,
        kind=evidence.get_kind_display(),
        files=files,
        revision=str(latest.number) if latest else "",
        effective_from=f"{evidence.effective_from:%Y-%m-%d}",
        valid_until=f"{evidence.valid_until:%Y-%m-%d}" if evidence.valid_until else "",
        state=state.label,
        check_run=run_text,
        flags=flags,
    )


def _hashes(facts: EvidenceFacts) -> list[str]:
    if not any(sha for _, sha in facts.files):
        return [f"{facts.ident}: {facts.kind.lower()}, no stored file"]
    return [f"{facts.ident} {name}: {sha}" for name, sha in facts.files]


def _version(organization: Organization) -> tuple[str, str]:
    """The SoA's version (how many changes the change trail records of it) and its last
    change."""
    events = AuditEvent.objects.filter(organization=organization, record_type__in=SOA_RECORD_TYPES)
    count = events.count()
    last = events.order_by("-sequence").only("created_at", "actor_label").first()
    if last is None:
        return "0 (no decision recorded yet)", "never"
    return (
        f"{count} (changes recorded in the change trail)",
        f"{timezone.localtime(last.created_at):%Y-%m-%d %H:%M} by {last.actor_label}",
    )


def _scope(organization: Organization) -> tuple[str, str]:
    """The AIMS scope and its status, from the approved scope version when the context area
    has one (hook ``template_values``), else the organization's own scope text."""
    values = template_values(organization)
    text = (values.get("scope") or organization.scope or "").strip()
    version = (values.get("scope_version") or "").strip()
    status = version[0].upper() + version[1:] if version else "No approved scope version"
    return text or "Not stated", status


def build_export(organization: Organization) -> SoAExport:
    """Every entry of the SoA, Annex A controls first in the order of the standard, then the
    additional controls; flags by the same rule as the pages (``with_flags``)."""
    today = timezone.localdate()
    evidence = Evidence.objects.select_related("check_run").prefetch_related(
        "revisions__files__blob"
    )
    entries = list(
        SoAEntry.objects.for_org(organization)
        .for_list()
        .prefetch_related(
            Prefetch("risks", queryset=Risk.objects.order_by("ref")),
            Prefetch("evidence", queryset=evidence.order_by("title", "pk")),
        )
    )
    rows, evidence_rows = [], []
    for entry in entries:
        objective = entry.objective
        facts = [evidence_facts(e, today) for e in entry.evidence.all()]
        applicable = entry.applicability == Applicability.APPLICABLE
        excluded = entry.applicability == Applicability.EXCLUDED
        rows.append(
            [
                ADDITIONAL_HEADING if objective is None else f"{objective.ref} {objective.title}",
                entry.ref,
                entry.title,
                entry.source_label,
                APPLICABLE_TEXT[entry.applicability],
                entry.justification if applicable else "",
                entry.justification if excluded else "",
                entry.get_status_display() if applicable else "",
                _person(entry.owner),
                entry.implementation,
                ", ".join(risk.ref for risk in entry.risks.all()),
                "\n".join(f.ident for f in facts),
                "\n".join(f"{f.ident} {f.title}" for f in facts),
                "\n".join(line for f in facts for line in _hashes(f)),
                "\n".join(f"{f.ident} {f.dates}" for f in facts),
                "\n".join(f"{f.ident} {flag}" for f in facts for flag in f.flags),
                "; ".join(entry.flags()),
                f"{timezone.localtime(entry.updated_at):%Y-%m-%d}",
            ]
        )
        for f in facts:
            for name, sha in f.files or [("", "")]:
                evidence_rows.append(
                    [
                        entry.ref,
                        f.ident,
                        f.title,
                        f.kind,
                        name,
                        sha,
                        f.revision,
                        f.effective_from,
                        f.valid_until,
                        f.state,
                        f.check_run,
                        "; ".join(f.flags),
                    ]
                )
    framework = (
        Framework.objects.filter(controls__soa_entries__organization=organization)
        .distinct()
        .first()
    )
    framework_text = f"{framework.name} ({framework.title})" if framework else ""
    now = timezone.localtime()
    exported_at = f"{now:%Y-%m-%d %H:%M} {now.tzname()}"
    version, last_change = _version(organization)
    scope, scope_status = _scope(organization)
    decided = [e for e in entries if e.applicability != Applicability.UNDECIDED]
    applicable = [e for e in entries if e.applicability == Applicability.APPLICABLE]
    implemented = [e for e in applicable if e.status == Implementation.IMPLEMENTED]
    flagged_evidence = {row[1] for row in evidence_rows if row[-1]}
    control = [
        ("Organization", organization.name),
        ("Framework", framework_text),
        ("Version", version),
        ("Last change", last_change),
        ("Date", exported_at),
        ("Approved by", NOT_APPROVED),
        ("AIMS scope status", scope_status),
        ("AIMS scope", scope),
        (
            "Controls",
            f"{len(entries)} controls, {len(decided)} decided, {len(applicable)} applicable "
            f"({len(implemented)} implemented), "
            f"{sum(1 for e in entries if e.applicability == Applicability.EXCLUDED)} excluded",
        ),
        ("Entries flagged", str(sum(1 for e in entries if e.flags()))),
        ("Evidence flagged", str(len(flagged_evidence))),
        (
            "Reading the evidence",
            "EV-n is evidence record n of the app. The SHA-256 is that of the stored file of the "
            "latest revision, as uploaded; the app re-hashes stored files weekly and at every "
            "download. A flag marks evidence that is expired, not yet effective, a failed check "
            "run or a stored file found altered or missing: it does not show that the control "
            "works.",
        ),
    ]
    return SoAExport(
        organization=organization.name,
        framework=framework_text,
        exported_at=exported_at,
        control=control,
        header=HEADER,
        rows=rows,
        evidence_rows=evidence_rows,
    )


def to_csv(export: SoAExport) -> str:
    """The table alone: the header line first, then one line per control."""
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerow(export.header)
    writer.writerows(export.rows)
    return out.getvalue()


def control_csv(export: SoAExport) -> str:
    """The document-control block, the sidecar of :func:`to_csv`: a ``Field,Value`` header, then
    one line per field (the document's title under "Document")."""
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerow(CONTROL_HEADER)
    writer.writerow(["Document", TITLE])
    writer.writerows([list(pair) for pair in export.control])
    return out.getvalue()


def _table(sheet, header, rows, widths) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_row = append_safe_row(sheet, header)
    fill = PatternFill("solid", fgColor="DDE3EA")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = wrap
    for row in rows:
        for cell in sheet[append_safe_row(sheet, row)]:
            cell.alignment = wrap
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last_column = get_column_letter(len(header))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + max(len(rows), 1)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def to_xlsx(export: SoAExport) -> bytes:
    """Three sheets: the document-control block, the SoA (one row per control) and the
    evidence (one row per control, piece of evidence and file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.properties.title = TITLE
    book.properties.creator = "OpenAIMS"
    cover = book.active
    cover.title = "Document control"
    append_safe_row(cover, [TITLE])
    cover["A1"].font = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    for field, value in export.control:
        number = append_safe_row(cover, [field, value])
        cover.cell(number, 1).font = Font(bold=True)
        cover.cell(number, 1).alignment = wrap
        cover.cell(number, 2).alignment = wrap
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 100
    _table(book.create_sheet("Statement of Applicability"), export.header, export.rows, WIDTHS)
    _table(book.create_sheet("Evidence"), EVIDENCE_HEADER, export.evidence_rows, EVIDENCE_WIDTHS)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
