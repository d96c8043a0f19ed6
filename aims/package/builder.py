"""Building the certification evidence package: a ZIP written to disk file by file.

What goes in, each made by the code that makes it for the app's own downloads:

* ``soa/``: the Statement of Applicability as XLSX (``aims.soa.export``) and as PDF (rendered
  here from the same export data, as the SoA has no PDF of its own);
* ``registers/``: the CSV exports of the risk register, the AI system inventory, the impact
  assessments, the incidents and the nonconformities;
* ``readiness/``: the report of the latest readiness assessment (PDF);
* ``audits/`` and ``reviews/``: the report of every completed internal audit and of every
  management review held (PDF);
* ``documents/``: the approved version in force of every current document (its Markdown text,
  and its file if it has one);
* ``evidence/``: the files of the latest revision of every piece of evidence, with ``INDEX.csv``
  saying which record each file belongs to (link evidence is listed there, without a file);
* ``README.txt``: what the package holds and anything left out.

The exports and reports come from the pages' own views, called in the worker with the builder's
membership (the access each view declares is checked against it), so a package never says
anything the app's downloads would not. Every file is hashed as it is written; ``MANIFEST.csv``
lists them and ``SIGNATURE.txt`` signs the manifest (:mod:`aims.package.manifest`). Nothing is
held whole in memory but a single report or export: evidence files are copied in chunks.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils import timezone

from aims.audits.models import Audit, AuditStatus
from aims.core.exports import safe_csv_writer
from aims.core.reports import pdf_bytes
from aims.documents.models import Document
from aims.evidence import storage
from aims.evidence.models import Evidence, Kind
from aims.organizations.models import Membership
from aims.readiness.models import Assessment
from aims.readiness.models import Status as ReadinessStatus
from aims.reviews.models import ManagementReview
from aims.soa import export as soa_export

from . import manifest, signing
from .models import NOTES, Package

PROGRESS_EVERY = 0.5  # seconds between progress writes
SNIFF = 64 * 1024  # bytes of a file tried for compression before choosing to deflate it


def packages_dir() -> Path:
    """Beside the evidence folder (``data/packages``), unless AIMS_PACKAGE_DIR says."""
    configured = getattr(settings, "AIMS_PACKAGE_DIR", None)
    return Path(configured) if configured else Path(settings.EVIDENCE_ROOT).parent / "packages"


def package_path(package: Package) -> Path:
    return packages_dir() / str(package.organization_id) / package.file_name


def safe_name(text: str, limit: int = 80) -> str:
    """A file name of ASCII letters, digits, dots, dashes and underscores, never ``..``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:limit].strip("-.")
    return name or "file"


class BuildError(Exception):
    """The package cannot be built (the builder lost their role, a report failed)."""


@dataclass(frozen=True)
class Part:
    label: str  # what the progress line says
    write: Callable[[], None]


class Writer:
    """The ZIP being written, and the manifest entry of each file put in it."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.entries: list[manifest.Entry] = []
        self.stamp = timezone.localtime().timetuple()[:6]
        self.paths: set[str] = set()

    def _info(self, path: str) -> zipfile.ZipInfo:
        if path in self.paths or path in (manifest.MANIFEST, manifest.SIGNATURE):
            raise BuildError(f"{path} would be written twice.")
        self.paths.add(path)
        info = zipfile.ZipInfo(path, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    def add_chunks(self, path: str, chunks: Iterable[bytes]) -> str:
        """Write a file from chunks; return its SHA-256.

        A file whose first chunk does not compress (a PDF, an image, an archive) is stored as
        it is: deflating it again costs time and saves nothing."""
        digest = hashlib.sha256()
        size = 0
        chunks = iter(chunks)
        first = next(chunks, b"")
        info = self._info(path)
        if len(first) >= SNIFF and len(zlib.compress(first[:SNIFF], 1)) > 0.9 * SNIFF:
            info.compress_type = zipfile.ZIP_STORED
        with self.archive.open(info, "w", force_zip64=True) as handle:
            for chunk in itertools.chain([first], chunks):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        sha = digest.hexdigest()
        self.entries.append(manifest.Entry(path, size, sha))
        return sha

    def add_bytes(self, path: str, data: bytes) -> str:
        return self.add_chunks(path, [data])


# --- The pages' own exports and reports -------------------------------------------------------


def _unwrapped(view):
    """The view under ``org_view``: the package checks the access it declares itself."""
    found = view
    while hasattr(getattr(found, "__wrapped__", None), "aims_access"):
        found = found.__wrapped__
    return found.__wrapped__, found.aims_access


def view_content(membership: Membership, url_name: str, **kwargs) -> Iterator[bytes]:
    """The body of the app's page or download at ``url_name``, as the builder would get it."""
    path = reverse(url_name, kwargs={"org": membership.organization.slug, **kwargs})
    match = resolve(path)
    view, access = _unwrapped(match.func)
    if not membership.can(access):
        raise BuildError(f"Your role cannot read {path}.")
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "REQUEST_METHOD": "GET"}
    request.user = membership.user
    request.org = membership.organization
    request.membership = membership
    request.resolver_match = match
    response = view(request, **{k: v for k, v in match.kwargs.items() if k != "org"})
    if response.status_code != 200:
        raise BuildError(f"{path} answered {response.status_code}.")
    if response.streaming:
        yield from (bytes(chunk) for chunk in response.streaming_content)
    else:
        yield response.content


# --- What the package holds --------------------------------------------------------------------

REGISTERS = [
    ("risks.csv", "risk_export_csv"),
    ("ai-systems.csv", "system_export"),
    ("impact-assessments.csv", "impact_export_csv"),
    ("incidents.csv", "incident_export_csv"),
    ("nonconformities.csv", "nonconformity_export_csv"),
]

EVIDENCE_INDEX = ["Evidence id", "Title", "Kind", "Revision", "File in package", "Link", "Note"]


def soa_pdf(organization) -> bytes:
    """The SoA as a PDF, from the data of its XLSX export."""

    data = soa_export.build_export(organization)
    columns = [soa_export.HEADER.index(name) for name in SOA_PDF_COLUMNS]
    rows = [[row[i] for i in columns] for row in data.rows]
    html = render_to_string(
        "package/soa_report.html",
        {
            "title": soa_export.TITLE,
            "org": organization,
            "generated": timezone.now(),
            "as_pdf": True,
            "control": data.control,
            "header": SOA_PDF_COLUMNS,
            "rows": rows,
        },
    )
    return pdf_bytes(html)


SOA_PDF_COLUMNS = [
    "Control",
    "Title",
    "Applicable",
    "Reason for inclusion",
    "Justification for exclusion",
    "Implementation status",
    "Owner",
    "Evidence ids",
    "Flags",
]


def latest_revision(evidence: Evidence):
    """The newest revision, from the prefetched revisions."""
    return max(evidence.revisions.all(), key=lambda r: r.number, default=None)


def latest_files(evidence: Evidence) -> list:
    """The stored files of the newest revision of file evidence (none for a link)."""
    revision = latest_revision(evidence)
    if evidence.kind != Kind.FILE or revision is None:
        return []
    return sorted(revision.files.all(), key=lambda f: (f.original_name, f.pk))


class Build:
    """One run of the builder for one package."""

    def __init__(self, package: Package, membership: Membership):
        self.package = package
        self.membership = membership
        self.organization = package.organization
        self.notes: list[str] = []
        self.writer: Writer | None = None

    # Each part writes one or more files through self.writer.

    def _soa(self):

        data = soa_export.build_export(self.organization)
        self.writer.add_bytes("soa/statement-of-applicability.xlsx", soa_export.to_xlsx(data))

    def _soa_pdf(self):
        self.writer.add_bytes("soa/statement-of-applicability.pdf", soa_pdf(self.organization))

    def _view(self, path: str, url_name: str, **kwargs) -> Callable[[], None]:
        def write():
            self.writer.add_chunks(path, view_content(self.membership, url_name, **kwargs))

        return write

    def _document(self, document: Document) -> Callable[[], None]:
        def write():
            version = document.approved_version
            stem = f"documents/{document.pk}-{safe_name(document.title)}-v{version.number}"
            self.writer.add_bytes(f"{stem}.md", version.content.encode())
            if version.has_file:
                self._copy(f"{stem}-{safe_name(version.file_name)}", version.file_sha256)

        return write

    def _copy(self, path: str, sha256: str) -> bool:
        """Copy a stored file in chunks; note it if what was copied no longer matches."""
        try:
            source = storage.path_for(sha256).open("rb")
        except (OSError, ValueError):
            self.notes.append(f"{path}: left out, the stored file is missing.")
            return False
        with source:
            written = self.writer.add_chunks(path, iter(lambda: source.read(storage.CHUNK), b""))
        if written != sha256:
            self.notes.append(
                f"{path}: the stored file does not match the SHA-256 recorded at upload "
                f"({sha256}): it was altered in storage."
            )
        return True

    def _evidence(self, items: list[Evidence]) -> Callable[[], None]:
        def write():
            out = io.StringIO()
            index = safe_csv_writer(out)
            index.writerow(EVIDENCE_INDEX)
            for evidence in items:
                revision = latest_revision(evidence)
                ident = f"EV-{evidence.pk}"
                if evidence.kind != Kind.FILE:
                    index.writerow([ident, evidence.title, "Link", "", "", evidence.url, ""])
                    continue
                if revision is None:
                    index.writerow([ident, evidence.title, "File", "", "", "", "No file stored"])
                    continue
                folder = f"evidence/{evidence.pk}-{safe_name(evidence.title)}/r{revision.number}"
                for stored in latest_files(evidence):
                    path = f"{folder}/{stored.pk}-{safe_name(stored.original_name)}"
                    copied = self._copy(path, stored.blob.sha256)
                    self.tick(f"Evidence {ident}")
                    index.writerow(
                        [
                            ident,
                            evidence.title,
                            "File",
                            revision.number,
                            path if copied else "",
                            "",
                            "" if copied else "Stored file missing",
                        ]
                    )
            self.writer.add_bytes("evidence/INDEX.csv", out.getvalue().encode())

        return write

    def plan(self) -> tuple[list[Part], int]:
        """The parts, and how many steps they make (one per part, one per evidence file)."""
        org = self.organization
        parts = [
            Part("Statement of Applicability (XLSX)", self._soa),
            Part("Statement of Applicability (PDF)", self._soa_pdf),
        ]
        for name, url_name in REGISTERS:
            parts.append(Part(f"Register {name}", self._view(f"registers/{name}", url_name)))

        assessments = Assessment.objects.filter(organization=org)
        latest = (
            assessments.filter(status=ReadinessStatus.COMPLETED).order_by("-assessed_on", "-pk")
            or assessments.order_by("-assessed_on", "-pk")
        ).first()
        if latest is None:
            self.notes.append("readiness/: no readiness assessment has been made yet.")
        else:
            parts.append(
                Part(
                    "Readiness summary",
                    self._view(
                        f"readiness/{latest.pk}-{safe_name(latest.title)}.pdf",
                        "readiness_report_pdf",
                        assessment_id=latest.pk,
                    ),
                )
            )
        audits = Audit.objects.filter(organization=org, status=AuditStatus.COMPLETED)
        for audit in audits.order_by("pk"):
            parts.append(
                Part(
                    f"Audit report {audit.ref}",
                    self._view(
                        f"audits/{safe_name(audit.ref)}-report.pdf",
                        "audit_report_pdf",
                        audit_id=audit.pk,
                    ),
                )
            )
        if not audits.exists():
            self.notes.append("audits/: no internal audit has been completed yet.")
        reviews = ManagementReview.objects.filter(organization=org).held()
        for review in reviews.order_by("held_on", "pk"):
            parts.append(
                Part(
                    f"Management review {review.pk}",
                    self._view(
                        f"reviews/{review.pk}-{safe_name(review.title)}-report.pdf",
                        "review_report_pdf",
                        review_id=review.pk,
                    ),
                )
            )
        if not reviews.exists():
            self.notes.append("reviews/: no management review has been held yet.")
        documents = (
            Document.objects.for_org(org)
            .current()
            .select_related("approved_version")
            .order_by("pk")
        )
        for document in documents:
            parts.append(Part(f"Document {document.title[:60]}", self._document(document)))
        evidence = list(
            Evidence.objects.for_org(org).prefetch_related("revisions__files__blob").order_by("pk")
        )
        files = sum(len(latest_files(e)) for e in evidence)
        parts.append(Part("Evidence index", self._evidence(evidence)))
        return parts, len(parts) + files

    # Progress

    def tick(self, step: str) -> None:
        self.package.done += 1
        self.package.step = step[:200]
        now = time.monotonic()
        if now - self._last >= PROGRESS_EVERY:
            self._last = now
            Package.objects.filter(pk=self.package.pk).update(
                done=self.package.done, step=self.package.step, heartbeat_at=timezone.now()
            )

    def run(self) -> Path:
        """Write the package; return its path. The ZIP is built under a temporary name and
        renamed when complete, so a half-written package is never offered."""
        parts, total = self.plan()
        self.package.total = total
        self._last = 0.0
        folder = packages_dir() / str(self.organization.pk)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime()
        name = (
            f"evidence-package-{self.organization.slug}-{stamp:%Y%m%d-%H%M%S}-{self.package.pk}.zip"
        )
        final = folder / name
        partial = folder / f".building-{self.package.pk}.zip"
        try:
            with zipfile.ZipFile(partial, "w", allowZip64=True) as archive:
                self.writer = Writer(archive)
                for part in parts:
                    self.tick(part.label)
                    part.write()
                self.writer.add_bytes("README.txt", self._readme().encode())
                manifest_data = manifest.manifest_bytes(self.writer.entries)
                digest = hashlib.sha256(manifest_data).hexdigest()
                signature, fingerprint = signing.sign(
                    self.organization,
                    [
                        ("organization", self.organization.slug),
                        ("package", str(self.package.pk)),
                        ("created", stamp.isoformat(timespec="seconds")),
                        ("files", str(len(self.writer.entries))),
                        ("manifest-sha256", digest),
                    ],
                )
                archive.writestr(
                    zipfile.ZipInfo(manifest.MANIFEST, self.writer.stamp), manifest_data
                )
                archive.writestr(zipfile.ZipInfo(manifest.SIGNATURE, self.writer.stamp), signature)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.package.file_name = name
        self.package.size = final.stat().st_size
        self.package.files = len(self.writer.entries)
        self.package.manifest_sha256 = digest
        self.package.key_fingerprint = fingerprint
        self.package.notes = "\n".join(self.notes)[:NOTES]
        return final

    def _readme(self) -> str:
        lines = [
            f"Certification evidence package of {self.organization.name}",
            f"Made by OpenAIMS on {timezone.localtime():%Y-%m-%d %H:%M %Z} for "
            f"{self.membership.user.get_username()}.",
            "",
            "soa/          the Statement of Applicability (XLSX and PDF)",
            "registers/    risks, AI systems, impact assessments, incidents, nonconformities (CSV)",
            "readiness/    the latest readiness assessment report (PDF)",
            "audits/       the report of each completed internal audit (PDF)",
            "reviews/      the report of each management review held (PDF)",
            "documents/    the approved version in force of each current document",
            "evidence/     the files of the latest revision of each piece of evidence; INDEX.csv",
            "",
            "MANIFEST.csv lists every other file with its size and SHA-256. SIGNATURE.txt holds",
            "the manifest's SHA-256 and an Ed25519 signature over it, made with the organization's",
            "key; its public key is shown in OpenAIMS on the Evidence package page. To check:",
            "    aims package verify THIS.zip --public-key KEY.pem",
        ]
        if self.notes:
            lines += ["", "Left out or to note:", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines) + "\n"
