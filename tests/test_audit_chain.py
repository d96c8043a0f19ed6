"""The audit trail is a hash chain per organization; `aims audit verify` names the first break."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aims.cli import main as aims_main
from aims.inventory.models import AISystem
from aims.inventory.services import save_system
from aims.trail.models import Action, AuditEvent, Checkpoint, TrailHead
from aims.trail.services import delete_governed, verify_chain


def register(world, name="Credit scoring"):
    return save_system(
        AISystem(organization=world.org, name=name, purpose="Score applicants"), actor=world.owner
    )


def test_every_change_writes_an_event_with_old_and_new_values(world):
    system = register(world)
    system.purpose = "Score loan applicants"
    save_system(system, actor=world.manager)
    events = list(AuditEvent.objects.for_record(system).order_by("sequence"))
    assert [e.action for e in events] == [Action.CREATE, Action.UPDATE]
    assert events[1].actor == world.manager
    assert events[1].changes == {"purpose": ["Score applicants", "Score loan applicants"]}
    assert events[0].changes["name"] == [None, "Credit scoring"]


def test_saving_without_change_writes_no_event(world):
    system = register(world)
    before = AuditEvent.objects.count()
    save_system(system, actor=world.owner)
    assert AuditEvent.objects.count() == before


def test_deleting_records_the_last_values(world):
    system = register(world)
    pk = system.pk
    delete_governed(system, actor=world.owner)
    event = AuditEvent.objects.filter(record_id=str(pk), action=Action.DELETE).get()
    assert event.changes["name"] == ["Credit scoring", None]


def test_each_event_links_to_the_previous_one(world):
    register(world, "A")
    register(world, "B")
    events = list(AuditEvent.objects.filter(organization=world.org).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    for previous, event in zip(events, events[1:], strict=False):
        assert event.previous_hash == previous.hash
        assert event.hash == event.compute_hash()
    assert verify_chain(world.org) == (len(events), None)


def test_verify_names_an_altered_event(world, capsys):
    register(world, "A")
    target = register(world, "B")
    register(world, "C")
    event = AuditEvent.objects.for_record(target).get()
    # Someone edits the stored row directly in the database.
    AuditEvent.objects.filter(pk=event.pk).update(changes={"name": [None, "Something else"]})
    checked, chain_break = verify_chain(world.org)
    assert chain_break.event.pk == event.pk
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify")
    assert f"event #{event.sequence} (id {event.pk}" in str(excinfo.value)
    assert "altered" in str(excinfo.value)
    # Through the console script too, with a failing exit code.
    assert aims_main(["audit", "verify", "--org", world.org.slug]) == 1
    assert f"#{event.sequence}" in capsys.readouterr().err


def test_verify_names_a_removed_event(world):
    register(world, "A")
    gone = register(world, "B")
    register(world, "C")
    event = AuditEvent.objects.for_record(gone).get()
    AuditEvent.objects.filter(pk=event.pk).delete()
    _, chain_break = verify_chain(world.org)
    assert chain_break.event.sequence == event.sequence + 1
    assert "missing" in chain_break.reason


def test_verify_passes_on_an_intact_trail(world, capsys):
    register(world)
    assert aims_main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"{world.org.slug}: intact" in out and f"{world.other_org.slug}: intact" in out


def test_chains_are_separate_per_organization(world):
    register(world)
    other_events = AuditEvent.objects.filter(organization=world.other_org).order_by("sequence")
    assert other_events.first().sequence == 1
    assert verify_chain(world.other_org)[1] is None


# --- The chain's end is anchored: removing the newest events is named too -------------------


def test_verify_names_the_newest_events_removed(world, capsys):
    register(world, "A")
    register(world, "B")
    newest = AuditEvent.objects.filter(organization=world.org).order_by("-sequence")
    head = newest[0].sequence
    # Someone deletes the two newest events: what is left is a valid chain on its own.
    AuditEvent.objects.filter(pk__in=[e.pk for e in newest[:2]]).delete()
    checked, chain_break = verify_chain(world.org)
    assert chain_break is not None and chain_break.event is None
    assert chain_break.reason == (
        f"The chain ends at event #{head - 2}, but its head records event #{head} "
        f"({TrailHead.objects.get(organization=world.org).updated_at:%Y-%m-%d %H:%M}): "
        f"the newest 2 event(s), #{head - 1} to #{head}, are missing"
    )
    assert checked == head - 2
    assert aims_main(["audit", "verify", "--org", world.org.slug]) == 1
    assert f"#{head - 1} to #{head}, are missing" in capsys.readouterr().out
    page = world.client(world.auditor).get(f"/o/{world.org.slug}/audit/verify/")
    assert "are missing" in page.content.decode() and "Broken" in page.content.decode()


def test_a_checkpoint_names_removed_events_even_when_the_head_was_rewritten_too(world):
    register(world, "A")
    register(world, "B")
    call_command("audit_verify", "--org", world.org.slug, stdout=io.StringIO())
    point = Checkpoint.objects.get(organization=world.org)
    assert point.sequence == AuditEvent.objects.filter(organization=world.org).count()
    # The newest event removed and the head moved back with it.
    AuditEvent.objects.filter(organization=world.org, sequence=point.sequence).delete()
    TrailHead.objects.filter(organization=world.org).update(sequence=point.sequence - 1)
    TrailHead.objects.filter(organization=world.org).update(
        hash=AuditEvent.objects.get(organization=world.org, sequence=point.sequence - 1).hash
    )
    _, chain_break = verify_chain(world.org)
    assert chain_break is not None
    assert f"verified up to event #{point.sequence}" in chain_break.reason
    assert f"events #{point.sequence} to #{point.sequence} are missing" in chain_break.reason


def test_the_head_follows_every_event_and_verification_records_a_checkpoint(world):
    register(world, "A")
    last = AuditEvent.objects.filter(organization=world.org).order_by("-sequence").first()
    head = TrailHead.objects.get(organization=world.org)
    assert (head.sequence, head.hash) == (last.sequence, last.hash)
    assert not Checkpoint.objects.filter(organization=world.org).exists()
    assert verify_chain(world.org) == (last.sequence, None)  # reading alone records nothing
    assert not Checkpoint.objects.filter(organization=world.org).exists()
    verify_chain(world.org, checkpoint=True)
    assert Checkpoint.objects.get(organization=world.org).hash == last.hash
