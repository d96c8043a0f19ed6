import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aims.evidence.models import Evidence, Kind
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.soa.export import HEADER
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry


def decide_a22(world):
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    risk = save_risk(
        Risk(
            organization=world.org,
            title="Unclear direction",
            category=Category.ACCOUNTABILITY,
            inherent_likelihood=2,
            inherent_impact=3,
        ),
        actor=world.owner,
    )
    entry.applicability = Applicability.APPLICABLE
    entry.justification = "Required by our lending regulator."
    entry.status = Implementation.IMPLEMENTED
    entry.owner = world.manager
    entry.implementation = "AI policy v2, approved 2025-01-10."
    update_entry(entry, actor=world.owner, risks=[risk])
    evidence = Evidence.objects.create(
        organization=world.org,
        title="AI policy v2",
        kind=Kind.LINK,
        url="https://intranet.example/ai-policy",
        effective_from=dt.date(2025, 1, 10),
        valid_until=timezone.localdate() - dt.timedelta(days=1),
    )
    evidence.soa_entries.set([entry])
    return entry, risk


def test_xlsx_export_has_a_readable_header_and_one_row_per_control(world):
    decide_a22(world)
    response = world.client(world.auditor).get(
        reverse("soa_export_xlsx", kwargs={"org": world.org.slug})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = book.active
    assert sheet["B2"].value == "Acme Lending"
    assert "ISO/IEC 42001" in sheet["B3"].value
    assert sheet["A4"].value == "Exported"
    header_row = 6
    assert [c.value for c in sheet[header_row]] == HEADER
    assert sheet.cell(header_row, 1).font.bold
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref == f"A{header_row}:L{header_row + 38}"
    assert sheet.max_row == header_row + 38
    row = {h: c.value for h, c in zip(HEADER, sheet[header_row + 1], strict=True)}
    assert row["Objective"] == "A.2 Policies related to AI"
    assert row["Control"] == "A.2.2"
    assert row["Applicable"] == "Yes"
    assert row["Justification"] == "Required by our lending regulator."
    assert row["Implementation status"] == "Implemented"
    assert row["Owner"] == "max.manager"
    assert row["Linked risks"] == "R-001"
    assert "AI policy v2 (effective 2025-01-10" in row["Evidence"]
    assert "EXPIRED" in row["Evidence"]
    assert row["Flags"] == "Implemented without current evidence"
    assert sheet.cell(header_row + 1, 5).alignment.wrap_text


def test_csv_export_parses_with_a_row_per_control(world):
    decide_a22(world)
    response = world.client(world.viewer).get(
        reverse("soa_export_csv", kwargs={"org": world.org.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["Organization", "Acme Lending"]
    assert rows[2][0] == "Framework"
    assert rows[3][0] == "Exported"
    header_at = rows.index(HEADER)
    body = rows[header_at + 1 :]
    assert len(body) == 38
    assert body[0][1] == "A.2.2" and body[0][3] == "Yes" and body[0][8] == "R-001"
    undecided = body[1]
    assert undecided[3] == "Not decided" and undecided[5] == "" and undecided[10] == ""
    assert {r[0] for r in body} >= {"A.6.1 Management guidance for AI system development"}
