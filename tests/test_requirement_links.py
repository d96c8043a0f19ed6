"""Records of any area that address clauses and Annex A controls: shown on the catalog and SoA
pages, and counted by the SoA as evidence of a control while they are current.

The records here belong to the test-only area ``tests/fake_area`` (lessons learned), which
registers itself with ``addresses_requirements`` and nothing else: a new area gets all of this
without editing the catalog or the SoA.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.catalog.links import resolve_requirements
from aims.catalog.models import Clause, Control
from aims.soa.models import Applicability, Implementation, SoAEntry
from tests.fake_area.models import Lesson


def implemented(world, ref: str) -> SoAEntry:
    entry = SoAEntry.objects.get(organization=world.org, control__ref=ref)
    entry.applicability = Applicability.APPLICABLE
    entry.status = Implementation.IMPLEMENTED
    entry.justification = "We govern our AI systems."
    entry.save()
    return entry


def lesson(org, title: str, *, current=True, controls=(), clauses=()) -> Lesson:
    record = Lesson.objects.create(organization=org, title=title, current=current)
    record.controls.set(Control.objects.filter(ref__in=controls))
    record.clauses.set(Clause.objects.filter(ref__in=clauses))
    return record


def flags(world, ref: str) -> SoAEntry:
    return SoAEntry.objects.filter(organization=world.org, control__ref=ref).with_flags().get()


def test_a_current_record_counts_as_evidence_of_its_control(world):
    implemented(world, "A.2.2")
    assert flags(world, "A.2.2").implemented_without_evidence is True
    lesson(world.org, "Our AI policy lesson", controls=["A.2.2"])
    entry = flags(world, "A.2.2")
    assert entry.has_current_evidence is True
    assert entry.implemented_without_evidence is False
    assert (
        SoAEntry.objects.filter(organization=world.org).flagged().filter(pk=entry.pk).count() == 0
    )


def test_a_record_that_is_not_current_does_not_count(world):
    implemented(world, "A.2.2")
    lesson(world.org, "A stale lesson", current=False, controls=["A.2.2"])
    assert flags(world, "A.2.2").has_current_evidence is False


def test_another_organizations_record_does_not_count(world):
    implemented(world, "A.2.2")
    lesson(world.other_org, "Their lesson", controls=["A.2.2"])
    assert flags(world, "A.2.2").has_current_evidence is False


def test_a_record_counts_only_for_the_controls_it_names(world):
    implemented(world, "A.2.3")
    lesson(world.org, "About A.2.2 only", controls=["A.2.2"])
    assert flags(world, "A.2.3").has_current_evidence is False


def test_the_catalog_pages_list_the_organizations_records(world):
    lesson(world.org, "Policy lesson", controls=["A.2.2"], clauses=["5.2"])
    lesson(world.org, "Old lesson", current=False, controls=["A.2.2"])
    lesson(world.other_org, "Not ours", controls=["A.2.2"], clauses=["5.2"])
    client = world.client(world.viewer)
    control = client.get(reverse("catalog_control", kwargs={"org": world.org.slug, "ref": "A.2.2"}))
    text = control.content.decode()
    assert "Lessons learned of Acme Lending" in text
    assert "Policy lesson" in text and "Old lesson" in text and "Not ours" not in text
    assert "not current" in text
    clause = client.get(reverse("catalog_clause", kwargs={"org": world.org.slug, "ref": "5.2"}))
    assert "Policy lesson" in clause.content.decode()
    assert "Not ours" not in clause.content.decode()


def test_the_soa_entry_page_lists_current_records_only(world):
    entry = implemented(world, "A.2.2")
    lesson(world.org, "Current lesson", controls=["A.2.2"])
    lesson(world.org, "Retired lesson", current=False, controls=["A.2.2"])
    page = world.client(world.viewer).get(entry.get_absolute_url()).content.decode()
    assert "Records that address this control" in page
    assert "Current lesson" in page and "Retired lesson" not in page


@pytest.mark.django_db
def test_resolving_ids_names_the_unknown_ones_by_field():
    clauses, controls = resolve_requirements(["5.2"], ["A.2.2"])
    assert [c.ref for c in clauses] == ["5.2"] and [c.ref for c in controls] == ["A.2.2"]
    with pytest.raises(ValidationError) as refused:
        resolve_requirements(["5.2", "99.1"], ["A.2.2", "A.99"])
    assert refused.value.message_dict == {
        "clauses": ["Unknown clause: 99.1."],
        "controls": ["Unknown Annex A control: A.99."],
    }
