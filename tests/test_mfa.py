"""Two-factor sign-in: enrolment, the code step, recovery codes, organizations requiring it."""

import re

import pytest
from conftest import PASSWORD
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from aims.trail.models import AuditEvent


class Clock:
    def __init__(self):
        import time

        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("django_otp.plugins.otp_totp.models.time", clock)
    return clock


def code(device, clock, step=0):
    clock.now += 30 * step
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = clock.now
    return f"{generator.token():06d}"


def enrol(client, user, clock):
    page = client.get("/account/security/authenticator/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/security/authenticator/", {"code": code(device, clock)})
    assert response.status_code == 302
    shown = client.get(response.url).content.decode()
    codes = re.findall(r'<code class="mono">([a-z2-7]{4}-[a-z2-7]{4})</code>', shown)
    assert len(codes) == 10
    assert "[a-z]" not in client.get("/account/security/recovery-codes/").content.decode()
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_enrolment_then_login_needs_the_code(world, clock):
    client = world.client(world.owner)
    device, _ = enrol(client, world.owner, clock)
    assert AuditEvent.objects.filter(organization=world.org, note__contains="Turned on").exists()
    fresh = Client()
    response = fresh.post("/login/", {"username": "olivia.owner", "password": PASSWORD})
    assert response.url == "/login/code/"
    assert "_auth_user_id" not in fresh.session
    wrong = fresh.post("/login/code/", {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert "_auth_user_id" not in fresh.session
    response = fresh.post("/login/code/", {"code": code(device, clock, step=1)})
    assert response.status_code == 302
    assert fresh.session["_auth_user_id"] == str(world.owner.pk)
    assert fresh.session["otp_device_id"] == device.persistent_id


def test_a_recovery_code_works_once(world, clock):
    _, codes = enrol(world.client(world.owner), world.owner, clock)
    first = Client()
    first.post("/login/", {"username": "olivia.owner", "password": PASSWORD})
    assert first.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    again = Client()
    again.post("/login/", {"username": "olivia.owner", "password": PASSWORD})
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_five_wrong_codes_lock_out(world, clock):
    device, _ = enrol(world.client(world.owner), world.owner, clock)
    client = Client()
    client.post("/login/", {"username": "olivia.owner", "password": PASSWORD})
    for _ in range(4):
        client.post("/login/code/", {"code": "000000"})
    assert client.post("/login/code/", {"code": "000000"}).status_code == 429
    client.post("/login/", {"username": "olivia.owner", "password": PASSWORD})
    assert (
        client.post("/login/", {"username": "olivia.owner", "password": PASSWORD}).status_code
        == 429
    )


def test_removing_the_authenticator_needs_a_code(world, clock):
    client = world.client(world.owner)
    device, _ = enrol(client, world.owner, clock)
    assert (
        client.post("/account/security/authenticator/remove/", {"code": "000000"}).status_code
        == 422
    )
    assert TOTPDevice.objects.filter(user=world.owner).exists()
    ok = client.post("/account/security/authenticator/remove/", {"code": code(device, clock, 1)})
    assert ok.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.owner).exists()


def test_an_organization_requiring_mfa_sends_an_unverified_member_to_enrol(world, clock):
    world.org.require_mfa = True
    world.org.save()
    client = world.client(world.viewer)
    response = client.get(f"/o/{world.org.slug}/")
    assert response.status_code == 302
    assert response.url.startswith("/account/security/authenticator/?next=")
    assert world.client(world.outsider).get(f"/o/{world.org.slug}/").status_code == 404
    enrol(client, world.viewer, clock)
    assert client.get(f"/o/{world.org.slug}/").status_code == 200
