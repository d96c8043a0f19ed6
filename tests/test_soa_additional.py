"""Additional controls in the Statement of Applicability (6.1.3 c): controls from other sources
than Annex A of ISO/IEC 42001, decided and justified like the Annex A ones, on every page, in
the exports, the API and the evidence links; added, changed and removed with the change trail."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient

from aims.evidence.models import Evidence, Kind
from aims.soa import services
from aims.soa.models import (
    AdditionalControl,
    Applicability,
    ControlSource,
    Implementation,
    SoAEntry,
)
from aims.trail.models import Action, AuditEvent


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def add(world, ref="27001-A.5.15", title="Access control", source=ControlSource.ISO_27001, **kw):
    control = AdditionalControl(
        organization=kw.pop("org", world.org), ref=ref, title=title, source=source, **kw
    )
    return services.add_additional_control(control, actor=world.owner)


def decide(world, entry, **fields):
    for name, value in fields.items():
        setattr(entry, name, value)
    return services.update_entry(entry, actor=world.owner)


def link_evidence(org, entry, *, valid_until=None, title="Access policy"):
    evidence = Evidence.objects.create(
        organization=org,
        title=title,
        kind=Kind.LINK,
        url="https://intranet.example/access",
        effective_from=timezone.localdate() - dt.timedelta(days=5),
        valid_until=valid_until,
    )
    evidence.soa_entries.set([entry])
    return evidence


# --- Adding, changing, removing -------------------------------------------------------------


def test_a_contributor_adds_a_control_and_is_asked_to_decide_on_it(world):
    client = world.client(world.contributor)
    assert client.get(url(world, "soa_additional_create")).status_code == 200
    response = client.post(
        url(world, "soa_additional_create"),
        {
            "ref": "27001-A.5.15",
            "title": "Access control",
            "source": "iso27001",
            "description": "Rules to control access to information.",
        },
    )
    entry = SoAEntry.objects.get(organization=world.org, additional_control__ref="27001-A.5.15")
    assert response.status_code == 302
    assert response["Location"] == url(world, "soa_edit", entry_id=entry.pk)
    assert entry.applicability == Applicability.UNDECIDED
    assert entry.additional_control.source == ControlSource.ISO_27001
    created = AuditEvent.objects.for_record(entry.additional_control).get()
    assert (created.action, created.actor) == (Action.CREATE, world.contributor)
    assert SoAEntry.objects.filter(organization=world.org).count() == 39


@pytest.mark.parametrize(
    "ref,message",
    [
        ("A.5.2", "A.5.2 is the id of an Annex A control of ISO/IEC 42001"),
        ("a.6.2.4", "is the id of an Annex A control"),
        ("org-01", "already has a control with the id org-01"),
        ("ISO 27001 A.5.15", "without spaces"),
    ],
)
def test_an_id_that_names_another_control_or_has_spaces_is_refused(world, ref, message):
    add(world, ref="ORG-01", title="Model register", source=ControlSource.OWN)
    response = world.client(world.contributor).post(
        url(world, "soa_additional_create"),
        {"ref": ref, "title": "Duplicate", "source": "own", "description": ""},
    )
    assert response.status_code == 422
    assert message in response.context["form"].errors["ref"][0]
    assert AdditionalControl.objects.filter(organization=world.org).count() == 1


def test_the_same_id_may_be_used_by_another_organization(world):
    add(world, ref="ORG-01")
    theirs = services.add_additional_control(
        AdditionalControl(
            organization=world.other_org, ref="ORG-01", title="X", source=ControlSource.OWN
        ),
        actor=world.outsider,
    )
    assert theirs.organization == world.other_org


def test_a_contributor_changes_a_control_with_the_change_trail(world):
    entry = add(world)
    response = world.client(world.contributor).post(
        url(world, "soa_additional_edit", entry_id=entry.pk),
        {"ref": "27001-A.5.16", "title": "Identity management", "source": "iso27001"},
    )
    assert response.status_code == 302
    control = AdditionalControl.objects.get(pk=entry.additional_control_id)
    assert (control.ref, control.title) == ("27001-A.5.16", "Identity management")
    changed = AuditEvent.objects.for_record(control).filter(action=Action.UPDATE).get()
    assert changed.changes["ref"] == ["27001-A.5.15", "27001-A.5.16"]
    page = world.client(world.viewer).get(url(world, "soa_detail", entry_id=entry.pk))
    assert len(page.context["events"]) == 2  # its creation and the change, on the entry's page


def test_an_annex_a_control_is_neither_changed_nor_removed(world):
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    client = world.client(world.owner)
    for name in ("soa_additional_edit", "soa_additional_remove"):
        response = client.post(url(world, name, entry_id=entry.pk), {"title": "Mine now"})
        assert response.status_code == 302
        assert response["Location"] == url(world, "soa_detail", entry_id=entry.pk)
    followed = client.get(url(world, "soa_detail", entry_id=entry.pk))
    assert "the standard defines it" in followed.content.decode()
    assert SoAEntry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(services.Refused, match="stays in the Statement of Applicability"):
        services.remove_additional_control(entry, actor=world.owner)


def test_removal_asks_first_then_removes_the_control_and_its_entry_with_the_trail(world):
    entry = add(world)
    control = entry.additional_control
    client = world.client(world.manager)
    confirm = client.get(url(world, "soa_additional_remove", entry_id=entry.pk))
    assert confirm.status_code == 200
    assert "Remove 27001-A.5.15" in confirm.content.decode()
    assert SoAEntry.objects.filter(pk=entry.pk).exists()  # asking removed nothing
    response = client.post(url(world, "soa_additional_remove", entry_id=entry.pk))
    assert response.status_code == 302
    assert not SoAEntry.objects.filter(pk=entry.pk).exists()
    assert not AdditionalControl.objects.filter(pk=control.pk).exists()
    deleted = AuditEvent.objects.filter(organization=world.org, action=Action.DELETE)
    assert {e.record_type for e in deleted} == {"soa.soaentry", "soa.additionalcontrol"}
    assert all(e.actor == world.manager for e in deleted)


def test_removal_is_refused_in_words_while_evidence_supports_the_control(world):
    entry = add(world)
    link_evidence(world.org, entry)
    client = world.client(world.owner)
    confirm = client.get(url(world, "soa_additional_remove", entry_id=entry.pk)).content.decode()
    assert "cannot be removed while evidence supports it" in confirm
    assert "Access policy" in confirm
    response = client.post(url(world, "soa_additional_remove", entry_id=entry.pk))
    assert response.status_code == 409
    assert "while evidence supports it (1 piece of evidence)" in response.content.decode()
    assert SoAEntry.objects.filter(pk=entry.pk).exists()
    assert not AuditEvent.objects.filter(organization=world.org, action=Action.DELETE).exists()


def test_only_managers_remove_and_readers_change_nothing(world):
    entry = add(world)
    remove = url(world, "soa_additional_remove", entry_id=entry.pk)
    assert world.client(world.contributor).post(remove).status_code == 403
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        assert client.post(url(world, "soa_additional_create"), {"ref": "X"}).status_code == 403
        edit = url(world, "soa_additional_edit", entry_id=entry.pk)
        assert client.post(edit, {"ref": "Y", "title": "Y", "source": "own"}).status_code == 403
        assert client.post(remove).status_code == 403
    assert world.client(world.outsider).get(remove).status_code == 404
    entry.refresh_from_db()
    assert entry.additional_control.ref == "27001-A.5.15"
    assert AdditionalControl.objects.count() == 1


# --- The same rules as Annex A ----------------------------------------------------------------


def test_a_decision_on_an_additional_control_needs_a_justification_either_way(world):
    entry = add(world)
    response = world.client(world.contributor).post(
        url(world, "soa_edit", entry_id=entry.pk),
        {"applicability": "excluded", "justification": " ", "status": "not_started"},
    )
    assert response.status_code == 200
    assert "this control is excluded" in response.context["form"].errors["justification"][0]
    entry.refresh_from_db()
    assert entry.applicability == Applicability.UNDECIDED


def test_an_additional_control_implemented_without_current_evidence_is_flagged(world):
    entry = add(world)
    decide(
        world,
        entry,
        applicability=Applicability.APPLICABLE,
        justification="Shared with our ISMS.",
        status=Implementation.IMPLEMENTED,
    )
    assert SoAEntry.objects.get(pk=entry.pk).flags() == ["Implemented without current evidence"]
    assert list(SoAEntry.objects.for_org(world.org).flagged()) == [entry]
    evidence = link_evidence(world.org, entry)
    assert SoAEntry.objects.get(pk=entry.pk).flags() == []
    Evidence.objects.filter(pk=evidence.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert SoAEntry.objects.get(pk=entry.pk).flags() == ["Implemented without current evidence"]


# --- Everywhere the SoA shows -------------------------------------------------------------------


def test_the_list_shows_additional_controls_after_annex_a_with_their_source(world):
    add(world, ref="ORG-07", title="Model register", source=ControlSource.OWN)
    add(world)
    response = world.client(world.viewer).get(url(world, "soa_list"))
    sections = response.context["sections"]
    last = sections[-1]
    assert last.objective is None and last.heading.startswith("Additional controls")
    assert [e.ref for e in last.entries] == ["27001-A.5.15", "ORG-07"]
    assert sum(len(s.entries) for s in sections) == 40
    assert response.context["summary"]["total"] == 40
    assert response.context["summary"]["additional"] == 2
    html = response.content.decode()
    assert "ISO/IEC 27001 Annex A" in html and "The organization&#x27;s own" in html
    only = world.client(world.viewer).get(url(world, "soa_list"), {"objective": "additional"})
    assert only.context["shown"] == 2


def test_the_detail_page_shows_the_control_and_its_source(world):
    entry = add(world, description="Rules to control access to information.")
    response = world.client(world.auditor).get(url(world, "soa_detail", entry_id=entry.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "27001-A.5.15 Access control" in html
    assert "Rules to control access to information." in html
    assert "ISO/IEC 27001 Annex A" in html
    assert url(world, "soa_additional_edit", entry_id=entry.pk) not in html  # auditor: no edit


def test_the_exports_list_additional_controls_with_their_source(world):
    entry = add(world)
    decide(
        world, entry, applicability=Applicability.EXCLUDED, justification="No ISMS in our scope."
    )
    response = world.client(world.viewer).get(url(world, "soa_export_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows.index(next(r for r in rows if r[:2] == ["Objective", "Control"]))
    body = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]]
    assert len(body) == 39
    assert body[0]["Source"] == "ISO/IEC 42001 Annex A"
    last = body[-1]
    assert (last["Control"], last["Title"], last["Applicable"]) == (
        "27001-A.5.15",
        "Access control",
        "No",
    )
    assert last["Objective"].startswith("Additional controls")
    assert last["Source"] == "ISO/IEC 27001 Annex A"
    assert last["Justification for exclusion"] == "No ISMS in our scope."
    assert last["Reason for inclusion"] == ""


def test_the_api_lists_reads_and_decides_additional_controls(world):
    add(world, description="Rules to control access.")
    api = ApiClient.for_member(world.contributor, world.org)
    listed = api.get("/api/v1/soa", {"objective": "additional"}).json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["control"] == "27001-A.5.15"
    assert (item["additional"], item["source"], item["objective"]) == (True, "iso27001", None)
    assert item["description"] == "Rules to control access."
    annex = api.get("/api/v1/soa/A.2.2").json()
    assert (annex["additional"], annex["source"], annex["objective"]) == (False, None, "A.2")
    api = ApiClient.for_member(world.manager, world.org)  # deciding needs authority
    response = api.patch(
        "/api/v1/soa/27001-A.5.15",
        {
            "applicability": "applicable",
            "justification": "Shared with our ISMS.",
            "status": "implemented",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["flags"] == ["Implemented without current evidence"]
    entry = SoAEntry.objects.get(additional_control__ref="27001-A.5.15")
    assert entry.applicability == Applicability.APPLICABLE
    assert api.get("/api/v1/soa").json()["count"] == 39
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.get("/api/v1/soa/27001-A.5.15").status_code == 404


def test_evidence_links_to_an_additional_control_on_pages_and_in_the_api(world):
    entry = add(world)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post_form(
        "/api/v1/evidence",
        {
            "title": "Access review",
            "kind": "link",
            "url": "https://example.test/review",
            "effective_from": "2026-01-01",
            "soa_entries": ["27001-A.5.15", "A.2.2"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["soa_entries"] == ["A.2.2", "27001-A.5.15"]
    evidence = Evidence.objects.get(title="Access review")
    assert entry in evidence.soa_entries.all()
    detail = world.client(world.viewer).get(
        reverse("evidence_detail", kwargs={"org": world.org.slug, "evidence_id": evidence.pk})
    )
    assert "27001-A.5.15 Access control" in detail.content.decode()
    unknown = api.post_form(
        "/api/v1/evidence",
        {"title": "X", "kind": "link", "url": "https://x.test", "effective_from": "2026-01-01",
         "soa_entries": ["ORG-404"]},
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "Unknown SoA control: ORG-404." in unknown.content.decode()


def test_the_dashboard_counts_additional_controls(world):
    entry = add(world)
    decide(
        world, entry, applicability=Applicability.APPLICABLE, justification="Shared with our ISMS."
    )
    html = world.client(world.owner).get(url(world, "dashboard")).content.decode()
    assert "1 of 39" in html and "(1 additional)" in html


def test_an_additional_controls_text_is_never_markup_on_any_of_its_pages(world):
    from tests.test_injection import PAYLOAD, scan

    entry = add(world, ref="ORG-01", title=PAYLOAD, source=ControlSource.OWN, description=PAYLOAD)
    client = world.client(world.owner)
    pages = [
        url(world, "soa_list"),
        url(world, "soa_detail", entry_id=entry.pk),
        url(world, "soa_edit", entry_id=entry.pk),
        url(world, "soa_additional_edit", entry_id=entry.pk),
        url(world, "soa_additional_remove", entry_id=entry.pk),
        url(world, "evidence_create"),
        url(world, "audit_log"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        found = scan(response.content)
        assert found.shown and not found.live and not found.unguarded, (page, found.__dict__)
