"""The SoA as a document an auditor accepts: a document-control block (version, date, approval,
the AIMS scope), the reason for inclusion and the justification for exclusion apart, the
implementation status, the evidence with its ids, SHA-256 and dates, and a flag on evidence that
is expired or a failed check run. The CSV starts with its header; the block goes in a sidecar CSV
and in the XLSX's first sheet."""

import csv
import datetime as dt
import hashlib
import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aims.checks.models import Check, CheckRun, RunStatus
from aims.context.models import ScopeStatus, ScopeVersion
from aims.evidence.models import Evidence, Kind
from aims.evidence.services import create_evidence
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.soa.export import CONTROL_HEADER, EVIDENCE_HEADER, HEADER, NOT_APPROVED
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry

MODEL_CARD = b"# Model card\nCredit scoring v4.2\n"
# Every column the issue asks for, by the names an auditor finds them under.
REQUIRED = [
    "Reason for inclusion",
    "Justification for exclusion",
    "Implementation status",
    "Evidence ids",
    "Evidence SHA-256",
    "Evidence dates",
    "Evidence flags",
]


def entry_of(world, ref) -> SoAEntry:
    return SoAEntry.objects.get(organization=world.org, control__ref=ref)


def decide(world, ref, applicability, justification, status=Implementation.NOT_STARTED):
    entry = entry_of(world, ref)
    entry.applicability, entry.justification, entry.status = applicability, justification, status
    return entry


def decide_a22(world):
    """A.2.2 applicable and implemented, with a linked risk and expired link evidence."""
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
    entry = decide(
        world,
        "A.2.2",
        Applicability.APPLICABLE,
        "Required by our lending regulator.",
        Implementation.IMPLEMENTED,
    )
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
    return entry, evidence


@pytest.fixture
def audited(world, credit_system):
    """A.2.2 as above; A.6.2.4 applicable with a file as evidence and a FAILED check run as
    evidence; A.5.5 excluded; an approved scope."""
    a22, expired = decide_a22(world)
    a624 = decide(
        world,
        "A.6.2.4",
        Applicability.APPLICABLE,
        "Every credit model is validated before release.",
        Implementation.PARTIAL,
    )
    update_entry(a624, actor=world.owner)
    card = create_evidence(
        Evidence(organization=world.org, title="Model card", effective_from=dt.date(2026, 1, 5)),
        actor=world.manager,
        files=[SimpleUploadedFile("model-card.md", MODEL_CARD, "text/markdown")],
        links={"soa_entries": [a624]},
    )
    check = Check.objects.create(
        organization=world.org, system=credit_system, name="Parity", kind="fairness"
    )
    run_evidence = create_evidence(
        Evidence(
            organization=world.org,
            title="Fairness check “Parity” FAILED",
            effective_from=timezone.localdate(),
        ),
        actor=world.manager,
        files=[SimpleUploadedFile("run.json", b'{"passed": false}', "application/json")],
        links={"soa_entries": [a624]},
    )
    CheckRun.objects.create(
        definition=check, organization=world.org, status=RunStatus.FAILED, evidence=run_evidence
    )
    a555 = decide(
        world, "A.5.5", Applicability.EXCLUDED, "We make no decisions that shape society."
    )
    update_entry(a555, actor=world.owner)
    ScopeVersion.objects.create(
        organization=world.org,
        number=3,
        status=ScopeStatus.APPROVED,
        statement="Credit scoring and the service chatbot of Acme Lending.",
        approved_by=world.top_manager,
        approved_at=timezone.now(),
    )
    return {"expired": expired, "card": card, "run": run_evidence}


def get(world, name, user=None):
    response = world.client(user or world.auditor).get(
        reverse(name, kwargs={"org": world.org.slug})
    )
    assert response.status_code == 200
    return response


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def by_control(header, rows) -> dict[str, dict]:
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows}


def test_the_csv_starts_with_its_header_and_has_every_column(world, audited):
    response = get(world, "soa_export_csv", world.viewer)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.splitlines()[0] == ",".join(HEADER)  # no preamble, no byte order mark
    rows = csv_of(response)
    assert rows[0] == HEADER and set(REQUIRED) <= set(HEADER)
    assert len(rows) == 1 + 38
    body = by_control(rows[0], rows[1:])

    a22 = body["A.2.2"]
    assert a22["Applicable"] == "Yes"
    assert a22["Reason for inclusion"] == "Required by our lending regulator."
    assert a22["Justification for exclusion"] == ""
    assert a22["Implementation status"] == "Implemented"
    assert a22["Owner"] == "max.manager" and a22["Linked risks"] == "R-001"
    expired = f"EV-{audited['expired'].pk}"
    assert a22["Evidence ids"] == expired
    assert a22["Evidence SHA-256"] == f"{expired}: link, no stored file"
    assert a22["Evidence dates"].startswith(f"{expired} effective 2025-01-10, valid until ")
    assert a22["Evidence flags"].startswith(f"{expired} EXPIRED on ")
    assert a22["Flags"] == "Implemented without current evidence"

    a624 = body["A.6.2.4"]
    card, run = f"EV-{audited['card'].pk}", f"EV-{audited['run'].pk}"
    assert set(a624["Evidence ids"].splitlines()) == {card, run}
    sha = hashlib.sha256(MODEL_CARD).hexdigest()
    assert f"{card} model-card.md: {sha}" in a624["Evidence SHA-256"].splitlines()
    assert f"{card} effective 2026-01-05, no expiry" in a624["Evidence dates"].splitlines()
    # The failed check run is flagged; the current model card is not.
    assert a624["Evidence flags"] == f"{run} CHECK RUN FAILED: not evidence of success"
    assert a624["Implementation status"] == "Partially implemented"

    a555 = body["A.5.5"]
    assert a555["Applicable"] == "No" and a555["Reason for inclusion"] == ""
    assert a555["Justification for exclusion"] == "We make no decisions that shape society."
    assert a555["Implementation status"] == ""
    undecided = body["A.3.2"]
    assert undecided["Applicable"] == "Not decided" and undecided["Evidence ids"] == ""


def test_the_document_control_sidecar_gives_version_date_approval_and_scope(world, audited):
    rows = csv_of(get(world, "soa_export_control_csv"))
    assert rows[0] == CONTROL_HEADER
    fields = dict(rows[1:])
    assert fields["Organization"] == "Acme Lending"
    assert fields["Version"].startswith("3 ")  # three decisions recorded in the change trail
    assert fields["Last change"].endswith("by olivia.owner")
    assert fields["Date"].startswith(timezone.localdate().isoformat())
    assert fields["Approved by"] == NOT_APPROVED
    assert fields["AIMS scope"].startswith("Credit scoring and the service chatbot")
    assert fields["AIMS scope status"].startswith("Version 3, approved ")
    assert fields["AIMS scope status"].endswith("by tina.topmgmt")
    assert fields["Evidence flagged"] == "2"


def test_without_an_approved_scope_the_block_says_so(world):
    world.org.scope = "All AI systems of Acme Lending."
    world.org.save()
    fields = dict(csv_of(get(world, "soa_export_control_csv"))[1:])
    assert fields["AIMS scope"] == "All AI systems of Acme Lending."
    assert fields["AIMS scope status"] == "No approved scope version"
    assert fields["Version"].startswith("0 ")


def test_the_xlsx_reads_back_with_every_column_and_the_block_first(world, audited):
    response = get(world, "soa_export_xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Document control", "Statement of Applicability", "Evidence"]
    cover = book["Document control"]
    fields = {row[0]: row[1] for row in cover.iter_rows(min_row=2, values_only=True)}
    assert fields["Approved by"] == NOT_APPROVED
    assert fields["Version"].startswith("3 ")
    assert fields["AIMS scope"].startswith("Credit scoring")

    sheet = book["Statement of Applicability"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == HEADER and set(REQUIRED) <= set(header)
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{1 + 38}"
    body = by_control(header, [["" if v is None else v for v in row] for row in rows[1:]])
    assert body["A.2.2"]["Reason for inclusion"] == "Required by our lending regulator."
    assert body["A.5.5"]["Justification for exclusion"].startswith("We make no decisions")
    run = f"EV-{audited['run'].pk}"
    assert run in body["A.6.2.4"]["Evidence flags"]

    evidence = list(book["Evidence"].iter_rows(values_only=True))
    assert list(evidence[0]) == EVIDENCE_HEADER
    lines = [dict(zip(EVIDENCE_HEADER, row, strict=True)) for row in evidence[1:]]
    card = next(line for line in lines if line["Evidence id"] == f"EV-{audited['card'].pk}")
    assert card["SHA-256"] == hashlib.sha256(MODEL_CARD).hexdigest()
    assert card["File or link"] == "model-card.md" and card["Flag"] is None
    failed = next(line for line in lines if line["Evidence id"] == run)
    assert failed["Check run"].startswith("Failed") and "CHECK RUN FAILED" in failed["Flag"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_xlsx(world, audited, tmp_path):
    source = tmp_path / "soa.xlsx"
    source.write_bytes(get(world, "soa_export_xlsx").content)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert (tmp_path / "soa.csv").read_text(errors="replace").strip()


def test_every_export_is_read_only_for_members_and_hidden_from_outsiders(world):
    for name in ("soa_export_csv", "soa_export_control_csv", "soa_export_xlsx"):
        get(world, name, world.viewer)
        outsider = world.client(world.outsider).get(reverse(name, kwargs={"org": world.org.slug}))
        assert outsider.status_code == 404
