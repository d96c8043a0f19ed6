"""An AI system registered by mistake may be deleted, unless the AI-system records of another
area name it: its impact assessments, incidents, concerns, data set uses, resources, third
parties, technical documents and planned changes would go with it (hook ``system_deletion``)."""

from django.urls import reverse
from impact_helpers import make_system, start

from aims.datasets.models import Resource, ResourceKind
from aims.datasets.services import save_resource
from aims.incidents.services import raise_concern
from aims.inventory.models import AISystem
from aims.inventory.services import deletion_blockers
from aims.trail.models import Action, AuditEvent


def delete(world, system):
    url = reverse("system_delete", kwargs={"org": world.org.slug, "system_id": system.pk})
    return world.client(world.owner).post(url, follow=True)


def test_a_system_without_records_may_be_deleted(world):
    system = make_system(world)

    assert deletion_blockers(system) == []
    delete(world, system)

    assert not AISystem.objects.filter(pk=system.pk).exists()


def test_the_records_of_other_areas_keep_a_system_from_deletion(world):
    system = make_system(world)
    start(world, system)
    raise_concern(world.org, actor=world.viewer, text="It refuses older people.", system=system)
    raise_concern(world.org, actor=world.viewer, text="And it is slow.", system=system)
    save_resource(
        Resource(
            organization=world.org, system=system, kind=ResourceKind.COMPUTING, name="GPU pool"
        ),
        actor=world.owner,
    )

    assert deletion_blockers(system) == [  # in the order of the areas
        "1 resource names it",
        "1 impact assessment names it",
        "2 concerns name it",
    ]
    page = delete(world, system).content.decode()

    assert AISystem.objects.filter(pk=system.pk).exists()
    assert "1 resource names it; 1 impact assessment names it; 2 concerns name it" in page
    assert not AuditEvent.objects.filter(action=Action.DELETE, record_id=str(system.pk)).exists()
