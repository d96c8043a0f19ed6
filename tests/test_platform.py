"""Log in and out, passwords, organizations, security headers and production settings."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import PASSWORD
from django.contrib.auth import get_user_model
from django.test import Client

from aims.organizations.models import Membership, Organization, Role
from aims.risk.models import RiskMatrix
from aims.soa.models import SoAEntry
from aims.trail.models import AuditEvent

ROOT = Path(__file__).resolve().parents[1]


def test_login_takes_a_member_to_their_organization(world):
    client = Client()
    response = client.post("/login/", {"username": "vic.viewer", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.url == f"/o/{world.org.slug}/"


def test_a_wrong_password_is_refused_with_a_message(world):
    response = Client().post("/login/", {"username": "vic.viewer", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_logout_ends_the_session(world):
    client = world.client(world.viewer)
    assert client.post("/logout/").status_code == 302
    assert client.get(f"/o/{world.org.slug}/").status_code == 302


def test_password_change_needs_the_old_password(world):
    client = world.client(world.viewer)
    response = client.post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "a-Long-new-pass-42",
            "new_password2": "a-Long-new-pass-42",
        },
    )
    assert response.status_code == 200
    world.viewer.refresh_from_db()
    assert world.viewer.check_password(PASSWORD)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-Long-new-pass-42",
            "new_password2": "a-Long-new-pass-42",
        },
    )
    assert response.status_code == 302
    world.viewer.refresh_from_db()
    assert world.viewer.check_password("a-Long-new-pass-42")


def test_passwords_are_stored_hashed(world):
    stored = get_user_model().objects.get(pk=world.viewer.pk).password
    assert PASSWORD not in stored and "$" in stored


def test_creating_an_organization_sets_up_owner_matrix_and_soa(world):
    client = world.client(world.viewer)
    response = client.post("/organizations/new/", {"name": "Fresh Start Ltd", "scope": ""})
    org = Organization.objects.get(name="Fresh Start Ltd")
    assert response.status_code == 302 and response.url == f"/o/{org.slug}/"
    assert Membership.objects.get(organization=org, user=world.viewer).role == Role.OWNER
    assert RiskMatrix.objects.filter(organization=org).exists()
    assert SoAEntry.objects.filter(organization=org).count() == 38
    assert AuditEvent.objects.filter(organization=org).exists()


def test_an_organization_needs_a_name(world):
    response = world.client(world.viewer).post("/organizations/new/", {"name": ""})
    assert response.status_code == 200 and b"This field is required" in response.content
    assert not Organization.objects.filter(name="").exists()


def test_the_organization_list_shows_only_my_organizations(world):
    response = world.client(world.viewer).get("/organizations/")
    assert world.org.name.encode() in response.content
    assert world.other_org.name.encode() not in response.content


def test_pages_carry_security_headers(world):
    response = world.client(world.owner).get(f"/o/{world.org.slug}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content  # no inline script anywhere on the page
    assert b" style=" not in response.content


def test_forms_refuse_posts_without_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.post(f"/o/{world.org.slug}/systems/new/", {"name": "X", "purpose": "Y"})
    assert response.status_code == 403
    assert not world.org.ai_systems.exists()


def test_static_assets_are_served_by_the_app_itself(world):
    page = world.client(world.owner).get(f"/o/{world.org.slug}/").content.decode()
    assert "/static/aims/vendor/htmx" in page and "/static/aims/app.css" in page
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]


PRODUCTION_KEY = "Kq9-vT2xLm4Pz8Rw1Ny6Hb3Jc7Fd5Gs0Ae-Ui2Oo4Yt6Er8Wq1Zx"


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AIMS_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "aims.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_its_critical_settings(tmp_path):
    result = run_settings({"AIMS_ENV": "production", "AIMS_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "AIMS_SECRET_KEY must be set" in result.stderr
    result = run_settings(
        {
            "AIMS_ENV": "production",
            "AIMS_DATA_DIR": str(tmp_path),
            "AIMS_SECRET_KEY": PRODUCTION_KEY,
            "AIMS_ALLOWED_HOSTS": "aims.example.org",
        }
    )
    assert "DATABASE_URL must be set" in result.stderr
    result = run_settings(
        {
            "AIMS_ENV": "production",
            "AIMS_DATA_DIR": str(tmp_path),
            "AIMS_SECRET_KEY": PRODUCTION_KEY,
            "AIMS_ALLOWED_HOSTS": "aims.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        }
    )
    assert result.returncode == 0, result.stderr
