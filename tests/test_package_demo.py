"""The evidence package of the demo organization holds each part a certification body asks for."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from aims.audits.models import Audit, AuditStatus
from aims.demo.loader import load_demo
from aims.documents.models import Document
from aims.evidence.models import Evidence, Kind
from aims.package import manifest, services
from aims.package.builder import package_path
from aims.package.models import Package, Status
from aims.reviews.models import ManagementReview


@pytest.fixture(autouse=True)
def package_dirs(settings, tmp_path):
    settings.AIMS_PACKAGE_DIR = tmp_path / "packages"
    settings.AIMS_PACKAGE_KEY_DIR = tmp_path / "package-keys"


@pytest.mark.django_db
def test_the_demo_package_holds_every_required_part():
    org, owner, _ = load_demo()
    package = services.build(Package.objects.create(organization=org, created_by=owner))
    assert package.status == Status.READY, package.error
    with zipfile.ZipFile(package_path(package)) as archive:
        names = set(archive.namelist())
        assert manifest.verify_package(package_path(package)).ok

        def read(name) -> bytes:
            return archive.read(name)

        assert read("soa/statement-of-applicability.pdf").startswith(b"%PDF")
        assert read("soa/statement-of-applicability.xlsx").startswith(b"PK")  # an XLSX is a ZIP
        registers = {
            "registers/risks.csv": "Residual level",
            "registers/ai-systems.csv": "",
            "registers/impact-assessments.csv": "",
            "registers/incidents.csv": "What happened",
            "registers/nonconformities.csv": "",
        }
        for name, column in registers.items():
            rows = list(csv.reader(io.StringIO(read(name).decode("utf-8-sig"))))
            assert len(rows) > 1, f"{name} has no record"
            assert column in rows[0] or not column
        readiness = [n for n in names if n.startswith("readiness/")]
        assert len(readiness) == 1 and read(readiness[0]).startswith(b"%PDF")
        completed = Audit.objects.filter(organization=org, status=AuditStatus.COMPLETED)
        audits = sorted(n for n in names if n.startswith("audits/"))
        assert audits == sorted(f"audits/{a.ref}-report.pdf" for a in completed)
        assert all(read(n).startswith(b"%PDF") for n in audits)
        held = ManagementReview.objects.filter(organization=org).held().count()
        reviews = [n for n in names if n.startswith("reviews/")]
        assert held and len(reviews) == held and all(read(n).startswith(b"%PDF") for n in reviews)
        current = Document.objects.for_org(org).current()
        for document in current:
            version = document.approved_version
            text = f"documents/{document.pk}-"
            found = [
                n for n in names if n.startswith(text) and n.endswith(f"-v{version.number}.md")
            ]
            assert len(found) == 1 and read(found[0]).decode() == version.content
        files = [
            (e, f)
            for e in Evidence.objects.for_org(org).filter(kind=Kind.FILE)
            for f in e.latest_revision().files.all()
        ]
        stored = [n for n in names if n.startswith("evidence/") and n != "evidence/INDEX.csv"]
        assert files and len(stored) == len(files)
        by_hash = {f.blob.sha256 for _, f in files}
        listed = {
            row[0]: row[2] for row in csv.reader(io.StringIO(read(manifest.MANIFEST).decode()))
        }
        assert {listed[n] for n in stored} == by_hash
        assert "evidence/INDEX.csv" in names and "README.txt" in names
