"""Sign-in throttling: five failures for a username from one address lock it out."""

from conftest import PASSWORD
from django.test import Client

from aims.trail.models import AuditEvent


def sign_in(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_lock_out_even_the_right_one_and_are_reported(world):
    client = Client()
    for _ in range(5):
        sign_in(client, "olivia.owner", "wrong-password-123")
    response = sign_in(client, "olivia.owner", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in locked for now" in response.content.decode()
    assert "Try again after" in response.content.decode()
    assert "_auth_user_id" not in client.session
    events = AuditEvent.objects.filter(organization=world.org, note__contains="locked out")
    assert events.count() == 1  # the refused right password is not reported again
    assert events.get().record_label == "olivia.owner"


def test_a_success_resets_the_count(world):
    client = Client()
    for _ in range(4):
        sign_in(client, "olivia.owner", "wrong-password-123")
    assert sign_in(client, "olivia.owner", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert sign_in(client, "olivia.owner", "wrong-password-123").status_code == 200
    assert sign_in(client, "olivia.owner", PASSWORD).status_code == 302


def test_another_address_is_not_locked_by_the_combination_rule(world):
    client = Client()
    for _ in range(5):
        sign_in(client, "olivia.owner", "wrong-password-123")
    other = Client()
    response = sign_in(other, "olivia.owner", PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(world.owner.pk)


def test_common_and_short_passwords_are_refused_at_password_change(world):
    client = world.client(world.owner)
    for weak in ("Summer2026", "abcdefghij1"):
        response = client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200
    world.owner.refresh_from_db()
    assert world.owner.check_password(PASSWORD)
