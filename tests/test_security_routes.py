"""Walk every URL pattern and every API operation and check who may reach it.

New routes are covered without editing this file: organization pages are found by enumerating
the URL configuration, and each one must declare its access with ``org_view``. Anonymous users
are sent to login (401 on the API), an outsider from another organization gets 404, and a Viewer
or Auditor gets 403 on every write.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from aims.catalog.models import Control
from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import run_check, save_check, store_data_file
from aims.checks.tasks import enqueue_run
from aims.evidence.models import Evidence, EvidenceFile
from aims.evidence.services import create_evidence
from aims.inventory.models import AISystem
from aims.inventory.proposals import TRANSITION
from aims.inventory.services import save_system
from aims.organizations.invitations import invite
from aims.organizations.models import Access, Membership
from aims.organizations.tokens import issue_token
from aims.proposals.services import propose
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.soa.models import SoAEntry
from tests.routes import add_area_records

QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The only pages an anonymous visitor may open: the invitation page sends them to log in too,
# after its own check (tests/test_invitations.py), so the link survives the login.
PUBLIC = {"login", "invitation"}
READ_AND_AUDIT = {Access.READ, Access.AUDIT}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def site_routes():
    return [
        (route, p)
        for route, p in walk(get_resolver().url_patterns)
        if not route.startswith("api/v1/") and not route.startswith("static/")
    ]


def org_routes():
    return [(route, p) for route, p in site_routes() if route.startswith("o/<slug:org>/")]


@pytest.fixture
def records(world):
    """One record of each kind in world.org, to fill URL parameters."""
    org = world.org
    system = save_system(
        AISystem(
            organization=org,
            name="Credit scoring",
            purpose="Score",
            intended_use="Loans",
            owner=world.owner,
        ),
        actor=world.owner,
    )
    risk = save_risk(
        Risk(
            organization=org,
            title="Bias against women",
            category="fairness",
            inherent_likelihood=3,
            inherent_impact=4,
        ),
        actor=world.owner,
        systems=[system],
    )
    evidence = create_evidence(
        Evidence(organization=org, title="Model card", effective_from=dt.date(2026, 1, 1)),
        actor=world.owner,
        files=[SimpleUploadedFile("card.md", b"# Model card\n", content_type="text/markdown")],
    )
    token, _ = issue_token(user=world.viewer, organization=org, name="ci")
    invitation, _ = invite(
        org, actor=world.owner, invitee="nina@example.test", role="viewer", link_for=str
    )
    blob, data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes(), content_type="application/x-parquet")
    )
    check = save_check(
        Check(
            organization=org,
            system=system,
            name="Parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )
    run = run_check(check, actor=world.owner)  # fails: raises an alert
    with override_settings(TASKS=QUEUED):
        queued = enqueue_run(check, actor=world.owner)  # waits for a worker
    proposal = propose(
        org,
        actor=world.contributor,
        kind=TRANSITION,
        record_of=system,
        summary="Move Credit scoring to Development and training",
        payload={"to_stage": "development"},
        reason="Ready to build",
    )
    return add_area_records(
        world,
        {
            "org": org.slug,
            "proposal_id": proposal.pk,
            "system_id": system.pk,
            "risk_id": risk.pk,
            "entry_id": SoAEntry.objects.filter(organization=org).first().pk,
            "evidence_id": evidence.pk,
            "revision_id": evidence.revisions.get().pk,
            "file_id": EvidenceFile.objects.get(revision__evidence=evidence).pk,
            "member_id": Membership.objects.get(user=world.contributor, organization=org).pk,
            "token_id": token.pk,
            "invitation_id": invitation.pk,
            "check_id": check.pk,
            "run_id": run.pk,
            "alert_id": run.alert.pk,
            "task_id": queued.id,
            "name": "credit-scoring-predictions",
            "objects": {
                "system": system,
                "risk": risk,
                "evidence": evidence,
                "check": check,
                "run": run,
            },
        },
    )


PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: str, values: dict) -> str:
    for folder, own in values.get("routes", {}).items():  # an area's own values for its pages
        if folder in "/" + route:
            values = {**values, **own}

    def value(match):
        name = match.group("name")
        if name == "ref":
            return "6.1.2" if "clause" in route else "A.2.2"
        if name not in values:
            raise AssertionError(f"route {route!r} has parameter {name!r} the test cannot fill")
        return str(values[name])

    return "/" + PARAM.sub(value, route)


def test_every_organization_page_declares_its_access():
    missing = [route for route, p in org_routes() if not hasattr(p.callback, "aims_access")]
    assert not missing, f"org pages without org_view(): {missing}"
    assert len(org_routes()) > 20


def test_anonymous_visitors_are_sent_to_login_everywhere(world, records, client):
    for route, pattern in site_routes():
        if pattern.name in PUBLIC or route.startswith("public/"):
            continue  # pages without sign-in (Area.public_urls) test their own rules
        url = fill(route, records)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if pattern.name == "logout" and method == "post":
                continue
            if response.status_code == 405:
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.url.startswith("/login/"), (method, url, response.url)


def test_outsiders_get_404_on_every_organization_page(world, records):
    client = world.client(world.outsider)
    for route, _ in org_routes():
        url = fill(route, records)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, (method, url, response.status_code)


def expected_allowed(access: str, membership: Membership) -> bool:
    return membership.can(access)


@pytest.mark.parametrize("who", ["viewer", "auditor", "contributor", "manager", "top_manager"])
def test_members_get_403_where_their_role_may_not_go(world, records, who):
    user = getattr(world, who)
    membership = world.membership(user)
    client = world.client(user)
    for route, pattern in org_routes():
        access = pattern.callback.aims_access
        url = fill(route, records)
        if membership.can(access):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (who, method, url, response.status_code)


def test_viewers_and_auditors_cannot_write_anywhere(world, records):
    """A Viewer writes nothing; an Auditor writes audits alone (routes declaring AUDIT)."""
    for user, allowed in ((world.viewer, {Access.READ}), (world.auditor, READ_AND_AUDIT)):
        writes = [(r, p) for r, p in org_routes() if p.callback.aims_access not in allowed]
        assert writes
        client = world.client(user)
        for route, _ in writes:
            assert client.post(fill(route, records)).status_code == 403, route


def test_members_with_access_reach_every_page_without_error(world, records):
    """Every GET an owner may make renders (or redirects), never a server error."""
    client = world.client(world.owner)
    for route, _pattern in org_routes():
        response = client.get(fill(route, records))
        response.close()  # downloads stream from an open file
        assert response.status_code in (200, 302, 405), (route, response.status_code)
    reader = world.client(world.viewer)
    for route, pattern in org_routes():
        if pattern.callback.aims_access == Access.READ:
            response = reader.get(fill(route, records))
            response.close()
            assert response.status_code in (200, 302, 405), (route, response.status_code)


def test_a_viewer_post_to_a_write_leaves_the_database_unchanged(world, records):
    system = records["objects"]["system"]
    client = world.client(world.viewer)
    url = fill("o/<slug:org>/systems/<int:system_id>/edit/", records)
    client.post(url, {"name": "Renamed by a viewer", "purpose": "x"})
    system.refresh_from_db()
    assert system.name == "Credit scoring"
    assert Control.objects.count() == 38


# --- The API -------------------------------------------------------------------------------


def api_operations():
    from aims.api.urls import operation_access

    return operation_access()


def fill_api(path: str, records: dict) -> str:
    objects = records["objects"]
    values = {
        **records.get("api", {}),
        "slug": objects["system"].slug,
        "ref": objects["risk"].ref,
        "control_ref": "A.2.2",
        "evidence_id": objects["evidence"].pk,
        "id": objects["evidence"].pk,
        "check_id": objects["check"].pk,
        "run_id": objects["run"].pk,
        "task_id": records["task_id"],
        "proposal_id": records["proposal_id"],
    }

    def value(match):
        name = match.group(1)
        if name not in values:
            raise AssertionError(f"API path {path!r} has parameter {name!r} the test cannot fill")
        return str(values[name])

    return "/api/v1" + re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def call(client, method, url, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, **headers)
    return getattr(client, method.lower())(
        url, data="{}", content_type="application/json", **headers
    )


def test_the_api_declares_access_for_every_operation():
    operations = api_operations()
    assert len(operations) >= 15
    assert set(operations.values()) <= set(Access.values)


def test_api_refuses_anonymous_callers_everywhere(world, records, client):
    for (method, path), _ in api_operations().items():
        response = call(client, method, fill_api(path, records))
        assert response.status_code == 401, (method, path, response.status_code)
        assert "detail" in response.json()


def test_api_hides_other_organizations_records(world, records, client):
    _, secret = issue_token(user=world.outsider, organization=world.other_org, name="x")
    for (method, path), _ in api_operations().items():
        # SoA entries are addressed by control id, which every organization has: the outsider
        # reaches its own entry there (checked below), never ours.
        if "{" not in path or "{control_ref}" in path:
            continue
        response = call(client, method, fill_api(path, records), secret)
        assert response.status_code == 404, (method, path, response.status_code)
    SoAEntry.objects.filter(organization=world.org, control__ref="A.2.2").update(
        justification="Only Acme may read this."
    )
    response = call(client, "GET", "/api/v1/soa/A.2.2", secret)
    assert response.status_code == 200
    assert response.json()["justification"] == ""


def test_api_gives_viewers_and_auditors_403_on_every_write(world, records, client):
    for user in (world.viewer, world.auditor):
        _, secret = issue_token(user=user, organization=world.org, name="x")
        for (method, path), access in api_operations().items():
            response = call(client, method, fill_api(path, records), secret)
            if access == Access.READ:
                assert response.status_code == 200, (method, path, response.status_code)
            elif access == Access.AUDIT and user == world.auditor:
                # an empty body is not a valid audit record, but the auditor is let in
                assert response.status_code != 403, (method, path, response.status_code)
            else:
                assert response.status_code == 403, (method, path, response.status_code)
