"""Shared fixtures: the catalog, one organization with a member of every role, and an outsider.

Every page and endpoint test checks its route against each of these people.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from aims.catalog.loader import load_catalog
from aims.organizations.models import Membership, Organization, Role
from aims.organizations.services import create_organization

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_catalog()


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Evidence files of each test go to their own folder; passwords hash fast; no cache."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests measure the real work (queries included); tests/test_cache.py turns caching on.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Background tasks run at once, inside the request; tests/test_checks_worker.py uses the
    # database backend and the worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.EVIDENCE_ROOT


@dataclass
class World:
    org: Organization
    other_org: Organization
    owner: object
    manager: object
    contributor: object
    auditor: object
    viewer: object
    top_manager: object
    outsider: object

    def client(self, user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def membership(self, user) -> Membership:
        return Membership.objects.get(user=user, organization=self.org)


def make_user(username: str):
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.test", password=PASSWORD
    )


@pytest.fixture
def world(db) -> World:
    owner = make_user("olivia.owner")
    org = create_organization(name="Acme Lending", owner=owner)
    people = {}
    for username, role, top in [
        ("max.manager", Role.MANAGER, False),
        ("carla.contributor", Role.CONTRIBUTOR, False),
        ("aud.auditor", Role.AUDITOR, False),
        ("vic.viewer", Role.VIEWER, False),
        ("tina.topmgmt", Role.VIEWER, True),
    ]:
        user = make_user(username)
        Membership.objects.create(user=user, organization=org, role=role, is_top_management=top)
        people[role if not top else "top"] = user
    outsider = make_user("oscar.outsider")
    other_org = create_organization(name="Other Corp", owner=outsider)
    return World(
        org=org,
        other_org=other_org,
        owner=owner,
        manager=people[Role.MANAGER],
        contributor=people[Role.CONTRIBUTOR],
        auditor=people[Role.AUDITOR],
        viewer=people[Role.VIEWER],
        top_manager=people["top"],
        outsider=outsider,
    )


@pytest.fixture
def credit_system(world):
    """An AI system that affects individuals, owned by the AIMS manager: the subject of checks."""
    from aims.inventory.models import AISystem
    from aims.inventory.services import save_system

    return save_system(
        AISystem(
            organization=world.org,
            name="Credit scoring",
            purpose="Score loans",
            intended_use="Officers decide",
            owner=world.manager,
            affects_individuals=True,
        ),
        actor=world.owner,
    )
