"""The Statement of Applicability as a document an auditor reads without the app.

:func:`build_export` gathers the rows once; :func:`to_csv` and :func:`to_xlsx` only lay them out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from aims.catalog.models import Framework
from aims.core.exports import append_safe_row, safe_csv_writer
from aims.evidence.models import Evidence, State
from aims.organizations.models import Organization
from aims.risk.models import Risk

from .models import Applicability, SoAEntry

HEADER = [
    "Objective",
    "Control",
    "Title",
    "Applicable",
    "Justification",
    "Implementation status",
    "Owner",
    "How it is implemented",
    "Linked risks",
    "Evidence",
    "Flags",
    "Source",
]
# Column widths in characters for the XLSX, in HEADER order.
WIDTHS = [34, 12, 40, 13, 50, 20, 20, 50, 22, 55, 32, 24]
ADDITIONAL_HEADING = "Additional controls (6.1.3 c)"

APPLICABLE_TEXT = {
    Applicability.APPLICABLE: "Yes",
    Applicability.EXCLUDED: "No",
    Applicability.UNDECIDED: "Not decided",
}


@dataclass(frozen=True)
class SoAExport:
    organization: str
    framework: str
    exported_at: str
    header: list[str]
    rows: list[list[str]]

    def preamble(self) -> list[list[str]]:
        return [
            ["Statement of Applicability (ISO/IEC 42001 6.1.3)"],
            ["Organization", self.organization],
            ["Framework", self.framework],
            ["Exported", self.exported_at],
        ]


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _evidence_line(evidence: Evidence, today) -> str:
    until = f"valid until {evidence.valid_until:%Y-%m-%d}" if evidence.valid_until else "no expiry"
    state = evidence.state(today)
    suffix = "" if state == State.CURRENT else f", {state.label.upper()}"
    return f"{evidence.title} (effective {evidence.effective_from:%Y-%m-%d}, {until}{suffix})"


def build_export(organization: Organization) -> SoAExport:
    """Every entry of the SoA, Annex A controls first in the order of the standard, then the
    additional controls; flags by the same rule as the pages (``with_flags``)."""
    today = timezone.localdate()
    entries = (
        SoAEntry.objects.for_org(organization)
        .for_list()
        .prefetch_related(
            Prefetch("risks", queryset=Risk.objects.order_by("ref")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("title", "pk")),
        )
    )
    rows = []
    for entry in entries:
        objective = entry.objective
        rows.append(
            [
                ADDITIONAL_HEADING if objective is None else f"{objective.ref} {objective.title}",
                entry.ref,
                entry.title,
                APPLICABLE_TEXT[entry.applicability],
                entry.justification,
                entry.get_status_display()
                if entry.applicability == Applicability.APPLICABLE
                else "",
                _person(entry.owner),
                entry.implementation,
                ", ".join(risk.ref for risk in entry.risks.all()),
                "\n".join(_evidence_line(e, today) for e in entry.evidence.all()),
                "; ".join(entry.flags()),
                entry.source_label,
            ]
        )
    framework = (
        Framework.objects.filter(controls__soa_entries__organization=organization)
        .distinct()
        .first()
    )
    now = timezone.localtime()
    return SoAExport(
        organization=organization.name,
        framework=f"{framework.name} ({framework.title})" if framework else "",
        exported_at=f"{now:%Y-%m-%d %H:%M} {now.tzname()}",
        header=HEADER,
        rows=rows,
    )


def to_csv(export: SoAExport) -> str:
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerows(export.preamble())
    writer.writerow([])
    writer.writerow(export.header)
    writer.writerows(export.rows)
    return out.getvalue()


def to_xlsx(export: SoAExport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Statement of Applicability"
    for row in export.preamble():
        append_safe_row(sheet, row)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in ("A2", "A3", "A4"):
        sheet[cell].font = Font(bold=True)
    sheet.append([])
    header_row = append_safe_row(sheet, export.header)
    fill = PatternFill("solid", fgColor="DDE3EA")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in export.rows:
        for cell in sheet[append_safe_row(sheet, row)]:
            cell.alignment = wrap
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last_column = get_column_letter(len(export.header))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{header_row + len(export.rows)}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
