"""The documents area's share of the route-walking tests: a procedure with an approved first
version (with a file) and a second version in draft."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from aims.documents.models import Document, Kind, Status
from aims.documents.services import approve_version, create_document, save_draft, submit_for_review
from aims.organizations.models import Access

LIST_PAGES = ["document_list"]


def make(world, records) -> dict:
    document = create_document(
        Document(organization=world.org, title="AI risk procedure", kind=Kind.PROCEDURE),
        actor=world.manager,
        content="# AI risk procedure\n\nScore every risk.\n",
        upload=SimpleUploadedFile("procedure.md", b"# Procedure\n", content_type="text/markdown"),
    )
    first = document.latest_version
    submit_for_review(first, actor=world.manager)
    approve_version(first, actor=world.owner)
    document.refresh_from_db()
    save_draft(document, actor=world.manager, content="# AI risk procedure\n\nScore and treat.\n")
    params = {"document_id": document.pk, "version_number": first.number}
    return {**params, "api": dict(params), "objects": {"document": document}}


def seed(world, n: int) -> None:
    start = Document.objects.filter(organization=world.org).count()
    Document.objects.bulk_create(
        Document(
            organization=world.org,
            title=f"Procedure {start + i}",
            kind=Kind.PROCEDURE,
            owner=world.manager,
            status=Status.DRAFT,
        )
        for i in range(n)
    )


API_ACCESS = {
    ("GET", "/document-templates"): Access.READ,
    ("GET", "/documents"): Access.READ,
    ("POST", "/documents"): Access.CONTRIBUTE,
    ("POST", "/documents/from-template"): Access.CONTRIBUTE,
    ("GET", "/documents/{document_id}"): Access.READ,
    ("PATCH", "/documents/{document_id}"): Access.CONTRIBUTE,
    # every member, viewers included, confirms they read what applies to them
    ("POST", "/documents/{document_id}/acknowledge"): Access.READ,
    ("POST", "/documents/{document_id}/retire"): Access.DECIDE,
    ("POST", "/documents/{document_id}/reviews"): Access.CONTRIBUTE,
    ("GET", "/documents/{document_id}/versions"): Access.READ,
    ("POST", "/documents/{document_id}/versions"): Access.CONTRIBUTE,
    ("GET", "/documents/{document_id}/versions/{version_number}"): Access.READ,
    ("PATCH", "/documents/{document_id}/versions/{version_number}"): Access.CONTRIBUTE,
    ("POST", "/documents/{document_id}/versions/{version_number}/approve"): Access.DECIDE,
    ("POST", "/documents/{document_id}/versions/{version_number}/refuse"): Access.DECIDE,
    ("POST", "/documents/{document_id}/versions/{version_number}/submit"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/documents"): {"title": "X"},
    ("POST", "/documents/from-template"): {"template": "ai-policy"},
    ("PATCH", "/documents/{document_id}"): {"title": "X"},
    ("POST", "/documents/{document_id}/acknowledge"): {},
    ("POST", "/documents/{document_id}/retire"): {"reason": "No"},
    ("POST", "/documents/{document_id}/reviews"): {"note": "ok"},
    ("POST", "/documents/{document_id}/versions"): {"content": "x"},
    ("PATCH", "/documents/{document_id}/versions/{version_number}"): {"content": "x"},
    ("POST", "/documents/{document_id}/versions/{version_number}/approve"): {},
    ("POST", "/documents/{document_id}/versions/{version_number}/refuse"): {"reason": "No"},
    ("POST", "/documents/{document_id}/versions/{version_number}/submit"): {},
}
