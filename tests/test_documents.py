"""Documents and the AI policy: versions and their states, approval rules, acknowledgements,
reviews, rendering and templates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from aims.core.areas import control_records, due_items, measures
from aims.core.errors import NeedsAuthority, Refused
from aims.documents import services
from aims.documents.models import (
    Acknowledgement,
    Document,
    DocumentReview,
    DocumentVersion,
    Kind,
    State,
    Status,
)
from aims.documents.rendering import render_markdown
from aims.documents.starters import STARTERS, fill, roles_text, values_for
from aims.trail.models import AuditEvent
from aims.trail.services import verify_chain


def make_document(world, *, actor=None, title="AI risk procedure", kind=Kind.PROCEDURE, **fields):
    return services.create_document(
        Document(organization=world.org, title=title, kind=kind, **fields),
        actor=actor or world.manager,
        content="# Procedure\n\nScore every risk.\n",
    )


def make_policy(world, *, author=None):
    return make_document(
        world, actor=author, title="AI policy", kind=Kind.POLICY, is_ai_policy=True
    )


def in_review(document, actor):
    version = document.versions.get()
    return services.submit_for_review(version, actor=actor)


def approved(world, document, *, author=None, approver=None) -> DocumentVersion:
    document.refresh_from_db()
    version = services.submit_for_review(document.latest_version, actor=author or world.manager)
    return services.approve_version(version, actor=approver or world.owner)


# --- the state machine -----------------------------------------------------------------------


def test_a_new_document_starts_as_a_draft_version_one(world):
    document = make_document(world)
    version = document.versions.get()
    assert (version.number, version.state, version.author) == (1, State.DRAFT, world.manager)
    document.refresh_from_db()
    assert document.status == Status.DRAFT and document.latest_version == version
    assert document.approved_version is None


def test_approval_by_someone_else_with_authority_puts_the_version_in_force(world):
    document = make_document(world)
    version = approved(world, document)
    document.refresh_from_db()
    assert version.state == State.APPROVED and version.approved_by == world.owner
    assert document.status == Status.APPROVED and document.approved_version == version
    today = timezone.localdate()
    assert document.next_review == services.add_months(today, 12)


def test_the_author_cannot_approve_their_own_version(world):
    document = make_document(world, actor=world.manager)
    version = in_review(document, world.manager)
    with pytest.raises(NeedsAuthority, match="You wrote version 1"):
        services.approve_version(version, actor=world.manager)
    version.refresh_from_db()
    assert version.state == State.IN_REVIEW


def test_the_ai_policy_needs_top_management_to_approve(world):
    policy = make_policy(world, author=world.contributor)
    version = in_review(policy, world.contributor)
    with pytest.raises(NeedsAuthority, match="top management"):
        services.approve_version(version, actor=world.manager)  # authority, not top management
    services.approve_version(version, actor=world.top_manager)
    version.refresh_from_db()
    assert version.state == State.APPROVED and version.approver_authority == "Top management"


def test_approval_needs_decision_authority(world):
    document = make_document(world)
    version = in_review(document, world.manager)
    with pytest.raises(NeedsAuthority):
        services.approve_version(version, actor=world.contributor)
    version.refresh_from_db()
    assert version.state == State.IN_REVIEW


def test_a_draft_not_in_review_cannot_be_approved(world):
    document = make_document(world)
    with pytest.raises(Refused, match="is a draft"):
        services.approve_version(document.versions.get(), actor=world.owner)
    assert document.versions.get().state == State.DRAFT


def test_approving_a_new_version_supersedes_the_one_before(world):
    document = make_document(world)
    first = approved(world, document)
    document.refresh_from_db()
    second = services.save_draft(document, actor=world.manager, content="# Procedure v2\n")
    assert second.number == 2 and second.state == State.DRAFT
    approved(world, document)
    first.refresh_from_db()
    second.refresh_from_db()
    document.refresh_from_db()
    assert first.state == State.SUPERSEDED and second.state == State.APPROVED
    assert document.approved_version == second
    with pytest.raises(Refused, match="superseded"):
        services.approve_version(first, actor=world.owner)


def test_an_approved_version_never_changes(world):
    document = make_document(world)
    version = approved(world, document)
    version.content = "Rewritten behind the service's back."
    with pytest.raises(Refused, match="never changes"):
        version.save()
    version.refresh_from_db()
    assert version.content == "# Procedure\n\nScore every risk.\n"


def test_editing_an_approved_document_starts_a_new_draft(world):
    document = make_document(world)
    first = approved(world, document)
    document.refresh_from_db()
    draft = services.save_draft(document, actor=world.contributor, content="Changed text")
    first.refresh_from_db()
    assert first.content == "# Procedure\n\nScore every risk.\n" and first.state == State.APPROVED
    assert (draft.number, draft.content, draft.author) == (2, "Changed text", world.contributor)
    again = services.save_draft(document, actor=world.contributor, content="Changed again")
    assert again.pk == draft.pk and document.versions.count() == 2


def test_a_version_in_review_cannot_be_edited(world):
    document = make_document(world)
    in_review(document, world.manager)
    with pytest.raises(Refused, match="in review"):
        services.save_draft(document, actor=world.manager, content="Sneaky change")
    assert document.versions.get().content.startswith("# Procedure")


def test_refusing_sends_the_version_back_to_draft_with_a_reason(world):
    document = make_document(world)
    version = in_review(document, world.manager)
    with pytest.raises(ValidationError) as caught:
        services.refuse_version(version, actor=world.owner, reason="  ")
    assert "reason" in caught.value.message_dict
    services.refuse_version(version, actor=world.owner, reason="Name the risk owner.")
    version.refresh_from_db()
    document.refresh_from_db()
    assert version.state == State.DRAFT and version.refusal_reason == "Name the risk owner."
    assert document.status == Status.DRAFT
    with pytest.raises(Refused):
        services.refuse_version(version, actor=world.owner, reason="Again")


def test_an_empty_draft_cannot_be_submitted(world):
    document = services.create_document(
        Document(organization=world.org, title="Empty"), actor=world.manager
    )
    with pytest.raises(ValidationError) as caught:
        services.submit_for_review(document.versions.get(), actor=world.manager)
    assert "content" in caught.value.message_dict


def test_retiring_withdraws_the_document_and_refuses_further_changes(world):
    document = make_document(world)
    version = approved(world, document)
    with pytest.raises(ValidationError):
        services.retire_document(document, actor=world.owner, reason="")
    with pytest.raises(NeedsAuthority):
        services.retire_document(document, actor=world.contributor, reason="Old")
    services.retire_document(document, actor=world.owner, reason="Replaced by the new method.")
    document.refresh_from_db()
    version.refresh_from_db()
    assert document.status == Status.RETIRED and version.state == State.RETIRED
    assert not Document.objects.current().filter(pk=document.pk).exists()
    with pytest.raises(Refused):
        services.save_draft(document, actor=world.manager, content="x")
    with pytest.raises(Refused):
        services.retire_document(document, actor=world.owner, reason="Again")


def test_retiring_the_ai_policy_needs_top_management(world):
    policy = make_policy(world)
    with pytest.raises(NeedsAuthority, match="top management"):
        services.retire_document(policy, actor=world.manager, reason="Old")
    services.retire_document(policy, actor=world.top_manager, reason="A new policy replaces it.")
    make_policy(world)  # a new AI policy may follow a retired one


def test_there_is_one_ai_policy_per_organization(world):
    make_policy(world)
    with pytest.raises(ValidationError) as caught:
        make_policy(world)
    assert "is_ai_policy" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        make_document(world, title="Not a policy", kind=Kind.PROCEDURE, is_ai_policy=True)
    assert "is_ai_policy" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            organization=world.org, title="Second", kind=Kind.POLICY, is_ai_policy=True
        )


def test_every_transition_is_in_the_change_trail(world):
    document = make_document(world)
    version = approved(world, document)
    services.acknowledge(version, actor=world.viewer)
    events = AuditEvent.objects.for_record(document)
    changes = [e.changes for e in events]
    assert {"v1": ["draft", "in_review"]} in changes
    assert {"v1": ["in_review", "approved"]} in changes
    assert {"acknowledged": [None, "v1"]} in changes
    assert verify_chain(world.org)[1] is None


# --- acknowledgements ------------------------------------------------------------------------


def test_a_draft_cannot_be_acknowledged(world):
    document = make_document(world)
    with pytest.raises(Refused, match="approved version in force"):
        services.acknowledge(document.versions.get(), actor=world.viewer)
    assert not Acknowledgement.objects.exists()


def test_a_new_approved_version_asks_for_acknowledgement_again(world):
    policy = make_policy(world)
    first = approved(world, policy, approver=world.top_manager)
    services.acknowledge(first, actor=world.viewer)
    services.acknowledge(first, actor=world.viewer)  # again: the first record stays
    assert Acknowledgement.objects.filter(user=world.viewer).count() == 1
    compute = measures()["documents.ai_policy_acknowledged"].compute
    assert compute(world.org, timezone.localdate()) == round(100 / 6, 1)  # 1 of 6 members
    policy.refresh_from_db()
    services.save_draft(policy, actor=world.manager, content="# Policy v2\n")
    second = approved(world, policy, approver=world.top_manager)
    assert not Acknowledgement.objects.filter(version=second).exists()
    assert compute(world.org, timezone.localdate()) == 0.0
    with pytest.raises(Refused, match="superseded"):
        services.acknowledge(first, actor=world.auditor)


def test_acknowledging_needs_membership(world):
    document = make_document(world)
    version = approved(world, document)
    with pytest.raises(PermissionDenied):
        services.acknowledge(version, actor=world.outsider)


# --- reviews ---------------------------------------------------------------------------------


def test_a_review_date_in_the_past_is_refused(world):
    document = make_document(world)
    document.next_review = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.update_document(document, actor=world.manager)
    assert "in the past" in caught.value.message_dict["next_review"][0]
    with pytest.raises(ValidationError) as caught:
        services.mark_reviewed(
            document,
            actor=world.manager,
            note="Fine",
            next_review=timezone.localdate() - dt.timedelta(days=3),
        )
    assert "next_review" in caught.value.message_dict
    assert not DocumentReview.objects.exists()


def test_marking_reviewed_sets_the_next_date_from_the_cycle(world):
    document = make_document(world, review_months=6)
    today = dt.date(2026, 1, 31)
    review = services.mark_reviewed(document, actor=world.manager, note="Still right.", today=today)
    document.refresh_from_db()
    assert review.next_review == dt.date(2026, 7, 31) == document.next_review
    with pytest.raises(ValidationError) as caught:
        services.mark_reviewed(document, actor=world.manager, note="")
    assert "note" in caught.value.message_dict


def test_overdue_reviews_are_due_items_for_the_owner_and_on_the_dashboard(world):
    document = make_document(world, owner=world.contributor)
    approved(world, document)
    Document.objects.filter(pk=document.pk).update(next_review=dt.date(2020, 1, 1))
    items = [i for i in due_items(world.org, timezone.localdate()) if i.kind == "Document review"]
    assert len(items) == 1
    assert items[0].people == frozenset({world.contributor.pk})
    assert items[0].overdue(timezone.localdate())
    response = world.client(world.owner).get(f"/o/{world.org.slug}/")
    assert "Document reviews overdue" in response.content.decode()


def test_only_approved_documents_in_force_count_for_the_soa(world):
    kind = next(k for k in control_records() if k.model is Document)
    draft = make_document(world, title="Draft")
    live = make_document(world, title="Live")
    approved(world, live)
    assert list(kind.current_records(world.org)) == [live]
    assert draft not in kind.current_records(world.org)


# --- rendering ---------------------------------------------------------------------------------


def test_markdown_is_rendered_without_raw_html_and_the_source_is_kept(world):
    source = (
        "# Title\n\n<script>alert(1)</script>\n\n"
        '<b hx-post="/pwned/" hx-trigger="load">x</b> <img src=x onerror=alert(1)>\n\n'
        "[site](https://example.org) [bad](javascript:alert(1))\n"
    )
    rendered = render_markdown(source)
    html = str(rendered.html)
    assert "<h1>Title</h1>" in html
    assert "<script" not in html and "<b " not in html and "<img" not in html
    assert 'rel="noopener noreferrer"' in html
    assert 'href="javascript' not in html
    assert rendered.had_raw_html
    assert not render_markdown("Just *text*.").had_raw_html
    document = services.create_document(
        Document(organization=world.org, title="Poisoned"), actor=world.manager, content=source
    )
    assert document.versions.get().content == source
    response = world.client(world.viewer).get(document.get_absolute_url())
    page = response.content.decode()
    assert "raw HTML, which is not rendered" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- templates ---------------------------------------------------------------------------------


def test_a_template_fills_in_known_values_and_leaves_the_rest(world):
    assert fill(
        "{{ organization }} / {{scope}} / {{ unknown }}", {"organization": "A", "scope": "B"}
    ) == ("A / B / {{ unknown }}")
    values = values_for(world.org)
    assert values["organization"] == "Acme Lending" and values["roles"].strip()
    # Without the leadership area's roles, the members by role stand in.
    roles = roles_text(world.org)
    assert "- Top management: olivia.owner, tina.topmgmt" in roles
    assert "- AIMS Manager: max.manager" in roles


def test_new_document_from_the_ai_policy_template(world):
    world.org.scope = "Consumer lending in Ireland"
    world.org.save()
    document = services.create_from_starter(world.org, "ai-policy", actor=world.manager)
    document.refresh_from_db()
    text = document.versions.get().content
    assert document.is_ai_policy and document.kind == Kind.POLICY
    assert "AI policy of Acme Lending" in text and "Consumer lending in Ireland" in text
    assert "{{ organization }}" not in text and "{{ roles }}" not in text
    assert "5.2" in document.requirement_refs() and "A.2.2" in document.requirement_refs()
    with pytest.raises(ValidationError):
        services.create_from_starter(world.org, "no-such-template", actor=world.manager)


def test_every_template_is_a_sound_first_draft():
    for starter in STARTERS.values():
        lines = starter.text().splitlines()
        assert 50 <= len(lines) <= 160, (starter.key, len(lines))
        assert lines[0].startswith("# ")
        assert "{{ organization }}" in starter.text() and "{{ scope }}" in starter.text()
