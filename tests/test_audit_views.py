import csv
import io

import pytest
from django.urls import reverse

from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.trail.models import Action, AuditEvent


def page(world, name):
    return reverse(name, kwargs={"org": world.org.slug})


def make_systems(world, n, actor=None):
    for i in range(n):
        save_system(
            AISystem(organization=world.org, name=f"Scoring model {i}", purpose="Scores."),
            actor=actor or world.owner,
        )


@pytest.mark.parametrize("name", ["audit_log", "audit_verify", "audit_export_csv"])
@pytest.mark.parametrize("who", ["owner", "contributor", "auditor", "viewer"])
def test_every_member_reads_the_audit_trail(world, name, who):
    assert world.client(getattr(world, who)).get(page(world, name)).status_code == 200


@pytest.mark.parametrize("name", ["audit_log", "audit_verify", "audit_export_csv"])
def test_an_outsider_gets_404(world, name):
    assert world.client(world.outsider).get(page(world, name)).status_code == 404


def test_the_log_lists_this_organizations_events_newest_first(world):
    make_systems(world, 2)
    response = world.client(world.auditor).get(page(world, "audit_log"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Scoring model 1") < content.index("Scoring model 0")
    assert "Other Corp" not in content
    last = AuditEvent.objects.filter(organization=world.org).first()
    assert last.hash[:10] in content


def test_the_log_filters_by_actor_action_record_type_and_date(world):
    make_systems(world, 1, actor=world.manager)
    client = world.client(world.viewer)
    base = page(world, "audit_log")

    by_actor = client.get(base, {"actor": world.manager.username}).context["rows"]
    assert [e.actor_label for e, _, _ in by_actor] == [world.manager.username]

    by_type = client.get(base, {"record_type": "inventory.aisystem"}).context["rows"]
    assert len(by_type) == 1 and by_type[0][2] == "AI system"

    by_action = client.get(base, {"action": Action.ACCESS}).context["rows"]
    assert {e.action for e, _, _ in by_action} == {Action.ACCESS}

    later = client.get(base, {"date_from": "2999-01-01"})
    assert later.context["rows"] == []
    assert "No event matches these filters" in later.content.decode()


def test_the_log_paginates_with_a_constant_number_of_queries(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client(world.owner)
    make_systems(world, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(page(world, "audit_log"))

    make_systems(world, 60)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(page(world, "audit_log"))
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 2


def test_verify_says_intact_with_the_count(world):
    make_systems(world, 2)
    content = world.client(world.viewer).get(page(world, "audit_verify")).content.decode()
    count = AuditEvent.objects.filter(organization=world.org).count()
    assert f"intact: {count} events checked" in content


def test_verify_names_the_first_broken_event(world):
    make_systems(world, 3)
    tampered = AuditEvent.objects.filter(organization=world.org).order_by("sequence")[2]
    AuditEvent.objects.filter(pk=tampered.pk).update(note="quietly edited")

    response = world.client(world.auditor).get(page(world, "audit_verify"))
    content = response.content.decode()

    assert response.status_code == 200
    assert "The chain does not verify" in content
    assert f"#{tampered.sequence}" in content
    assert "intact:" not in content


def test_the_csv_export_holds_every_event_with_its_hash(world):
    make_systems(world, 2)
    response = world.client(world.auditor).get(page(world, "audit_export_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    events = AuditEvent.objects.filter(organization=world.org).order_by("sequence")
    assert rows[0][0] == "sequence"
    assert [r[-1] for r in rows[1:]] == [e.hash for e in events]
