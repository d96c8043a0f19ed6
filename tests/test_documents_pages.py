"""The documents pages: list, detail, writing, approval, acknowledgement, compare, review, retire."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.documents import services
from aims.documents.models import Acknowledgement, Document, DocumentReview, Kind, State, Status


def url(world, path=""):
    return f"/o/{world.org.slug}/documents/{path}"


def make(world, *, title="AI policy", kind=Kind.POLICY, is_ai_policy=True, actor=None):
    return services.create_document(
        Document(organization=world.org, title=title, kind=kind, is_ai_policy=is_ai_policy),
        actor=actor or world.manager,
        content="# Policy\n\nLine one.\nLine two.\n",
    )


def approve(world, document, approver=None):
    document.refresh_from_db()
    version = services.submit_for_review(document.latest_version, actor=world.manager)
    return services.approve_version(version, actor=approver or world.top_manager)


def test_the_list_filters_and_exports(world):
    make(world)
    make(world, title="Data procedure", kind=Kind.PROCEDURE, is_ai_policy=False)
    client = world.client(world.viewer)
    page = client.get(url(world), {"kind": "procedure"}).content.decode()
    assert "Data procedure" in page and "AI policy</a>" not in page
    response = client.get(url(world, "export.csv"), {"q": "policy"})
    text = response.content.decode()
    assert response.status_code == 200 and "AI policy" in text and "Data procedure" not in text


def test_the_author_sees_no_approve_button_and_why(world):
    document = make(world)
    document.refresh_from_db()
    services.submit_for_review(document.latest_version, actor=world.manager)
    page = world.client(world.manager).get(document.get_absolute_url()).content.decode()
    assert "Approve version 1" not in page and "You wrote version 1" in page
    response = world.client(world.manager).post(url(world, f"{document.pk}/versions/1/approve/"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.IN_REVIEW
    page = world.client(world.top_manager).get(document.get_absolute_url()).content.decode()
    assert "Approve version 1" in page
    world.client(world.top_manager).post(url(world, f"{document.pk}/versions/1/approve/"))
    document.refresh_from_db()
    assert document.status == Status.APPROVED


def test_a_contributor_may_not_post_an_approval(world):
    document = make(world)
    response = world.client(world.contributor).post(
        url(world, f"{document.pk}/versions/1/approve/")
    )
    assert response.status_code == 403


def test_the_page_shows_who_has_and_has_not_acknowledged(world):
    document = make(world)
    approve(world, document)
    client = world.client(world.viewer)
    page = client.get(document.get_absolute_url()).content.decode()
    assert "I have read version 1" in page
    response = client.post(url(world, f"{document.pk}/acknowledge/"))
    assert response.status_code == 302
    assert Acknowledgement.objects.filter(user=world.viewer).count() == 1
    page = world.client(world.owner).get(document.get_absolute_url()).content.decode()
    have = page.split('id="acknowledged"')[1].split("</ul>")[0]
    have_not = page.split('id="not-acknowledged"')[1].split("</ul>")[0]
    assert "vic.viewer" in have and "vic.viewer" not in have_not
    assert "aud.auditor" in have_not
    to_read = world.client(world.viewer).get(url(world, "to-read/")).content.decode()
    assert "Nothing to read" in to_read
    assert "AI policy" in world.client(world.auditor).get(url(world, "to-read/")).content.decode()


def test_writing_an_approved_document_starts_a_new_draft_and_compare_shows_it(world):
    document = make(world)
    approve(world, document)
    client = world.client(world.manager)
    page = client.get(url(world, f"{document.pk}/write/")).content.decode()
    assert "new draft, version 2" in page
    response = client.post(
        url(world, f"{document.pk}/write/"),
        {"content": "# Policy\n\nLine one.\nLine <b>2</b>.\n", "change_note": "Second line"},
    )
    assert response.status_code == 302
    assert [v.state for v in document.versions.order_by("number")] == [State.APPROVED, State.DRAFT]
    page = client.get(url(world, f"{document.pk}/compare/"), {"a": 1, "b": 2}).content.decode()
    assert "<del>Line two.</del>" in page and "<ins>Line &lt;b&gt;2&lt;/b&gt;.</ins>" in page
    preview = client.post(url(world, f"{document.pk}/preview/"), {"content": "**bold**"})
    assert "<strong>bold</strong>" in preview.content.decode()


def test_a_past_review_date_is_refused_beside_the_field(world):
    document = make(world)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = world.client(world.manager).post(
        url(world, f"{document.pk}/review/"),
        {"note": "Checked", "next_review": yesterday.isoformat()},
    )
    assert response.status_code == 422
    assert "is in the past" in response.content.decode()
    assert not DocumentReview.objects.exists()
    response = world.client(world.manager).post(
        url(world, f"{document.pk}/review/"), {"note": "Checked"}
    )
    assert response.status_code == 302 and DocumentReview.objects.count() == 1


def test_retiring_asks_for_confirmation_and_a_reason(world):
    document = make(world, title="Old procedure", kind=Kind.PROCEDURE, is_ai_policy=False)
    client = world.client(world.manager)
    page = client.get(url(world, f"{document.pk}/retire/")).content.decode()
    assert "This cannot be undone" in page
    assert client.post(url(world, f"{document.pk}/retire/"), {"reason": ""}).status_code == 422
    response = client.post(url(world, f"{document.pk}/retire/"), {"reason": "Replaced"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.RETIRED


def test_a_new_document_from_a_template_page(world):
    response = world.client(world.contributor).post(
        url(world, "templates/"), {"template": "communication-plan", "title": ""}
    )
    assert response.status_code == 302
    document = Document.objects.get(organization=world.org)
    assert document.title == "AI communication plan" and document.kind == Kind.PLAN
    assert "Acme Lending" in document.versions.get().content
