"""API tokens (Finding 6 of issue 7): an Owner sees and revokes members' tokens; a changed
password revokes every token of its account, a rehash of the same password does not."""

import pytest
from conftest import PASSWORD
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.test import Client
from django.urls import reverse

from aims.organizations.models import ApiToken
from aims.organizations.tokens import authenticate, issue_token
from aims.trail.models import AuditEvent

NEW_PASSWORD = "a-different-long-passphrase-2027"


def tokens_page(world, name="token_list", **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


# --- an Owner and the members' tokens ---------------------------------------------------------


def test_an_owner_sees_every_members_tokens_but_never_their_secrets(world):
    _, manager_secret = issue_token(user=world.manager, organization=world.org, name="Nightly")
    revoked, _ = issue_token(user=world.viewer, organization=world.org, name="Old laptop")
    revoked.revoked_at = revoked.created_at
    revoked.save()
    issue_token(user=world.outsider, organization=world.other_org, name="Elsewhere")

    response = world.client(world.owner).get(tokens_page(world))
    text = response.content.decode()
    assert "Members' API tokens" in text
    assert "Nightly" in text and world.manager.username in text
    assert "Old laptop" in text and "Revoked" in text
    assert "Elsewhere" not in text  # another organization's token
    assert manager_secret not in text
    assert {t.name for t in response.context["members_tokens"]} == {"Nightly", "Old laptop"}


@pytest.mark.parametrize("who", ["manager", "top_manager", "contributor", "auditor", "viewer"])
def test_other_roles_see_and_revoke_only_their_own_tokens(world, who):
    user = getattr(world, who)
    theirs, theirs_secret = issue_token(user=world.owner, organization=world.org, name="Owner's")
    own, _ = issue_token(user=user, organization=world.org, name="Mine")
    client = world.client(user)

    response = client.get(tokens_page(world))
    text = response.content.decode()
    assert response.context["members_tokens"] is None
    assert "Members' API tokens" not in text and "Owner&#x27;s" not in text
    assert "Mine" in text

    assert client.post(tokens_page(world, "token_revoke", token_id=theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and authenticate(theirs_secret) is not None
    assert client.post(tokens_page(world, "token_revoke", token_id=own.pk)).status_code == 302
    own.refresh_from_db()
    assert not own.is_active


def test_an_owner_revokes_a_members_token_after_confirming_and_it_is_audited(world):
    token, secret = issue_token(user=world.contributor, organization=world.org, name="Sync")
    client = world.client(world.owner)
    listing = client.get(tokens_page(world)).content.decode()
    assert f"Revoke {world.contributor.username}'s token" in listing  # data-confirm

    response = client.post(tokens_page(world, "token_revoke", token_id=token.pk), follow=True)
    assert response.status_code == 200
    assert f"of {world.contributor.username} is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and authenticate(secret) is None
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.actor == world.owner and event.record_type == "organizations.apitoken"
    assert "revoked_at" in event.changes and world.contributor.username in event.note


def test_an_owner_of_another_organization_cannot_revoke_our_tokens(world):
    token, _ = issue_token(user=world.manager, organization=world.org, name="Sync")
    response = world.client(world.outsider).post(
        reverse("token_revoke", kwargs={"org": world.other_org.slug, "token_id": token.pk})
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


# --- a changed password revokes the account's tokens --------------------------------------------


@pytest.fixture
def tokens_in_two_orgs(world):
    from aims.organizations.models import Membership, Role

    Membership.objects.create(user=world.manager, organization=world.other_org, role=Role.VIEWER)
    first = issue_token(user=world.manager, organization=world.org, name="CI")
    second = issue_token(user=world.manager, organization=world.other_org, name="Sync")
    untouched = issue_token(user=world.viewer, organization=world.org, name="Viewer's")
    return [first, second], untouched


def assert_revoked_everywhere(world, tokens):
    for token, secret in tokens:
        token.refresh_from_db()
        assert token.revoked_at is not None and authenticate(secret) is None
    for org in (world.org, world.other_org):
        events = AuditEvent.objects.filter(organization=org, note__contains="password of")
        assert events.count() == 1  # one event per organization
        assert events.get().record_label == world.manager.username


def test_set_password_and_save_revokes_every_token_of_the_account(world, tokens_in_two_orgs):
    tokens, (other, other_secret) = tokens_in_two_orgs
    world.manager.set_password(NEW_PASSWORD)
    world.manager.save()
    assert_revoked_everywhere(world, tokens)
    assert authenticate(other_secret) is not None  # someone else's token stays


def test_the_password_change_page_revokes_the_tokens(world, tokens_in_two_orgs):
    tokens, _ = tokens_in_two_orgs
    response = world.client(world.manager).post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    world.manager.refresh_from_db()
    assert world.manager.check_password(NEW_PASSWORD)
    assert_revoked_everywhere(world, tokens)


def test_the_admins_password_form_revokes_the_tokens(world, tokens_in_two_orgs):
    tokens, _ = tokens_in_two_orgs
    form = AdminPasswordChangeForm(
        world.manager, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert_revoked_everywhere(world, tokens)


def test_an_unusable_password_revokes_the_tokens(world, tokens_in_two_orgs):
    tokens, _ = tokens_in_two_orgs
    world.manager.set_unusable_password()
    world.manager.save()
    assert_revoked_everywhere(world, tokens)


def test_other_saves_of_the_account_keep_the_tokens(world, tokens_in_two_orgs):
    tokens, _ = tokens_in_two_orgs
    world.manager.first_name = "Max"
    world.manager.save()
    world.manager.set_password(PASSWORD)  # the same password: a new salt, not a change...
    world.manager.save(update_fields=["first_name"])  # ...and not even saved
    world.client(world.manager).get("/")  # force_login writes last_login
    for token, secret in tokens:
        token.refresh_from_db()
        assert token.is_active and authenticate(secret) is not None


def test_a_rehash_at_sign_in_keeps_the_tokens(world, tokens_in_two_orgs, settings):
    """Django rehashes the stored password at sign-in when the hasher changed: same password."""
    tokens, _ = tokens_in_two_orgs
    old_hash = world.manager.password
    assert old_hash.startswith("md5$")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    response = Client().post("/login/", {"username": world.manager.username, "password": PASSWORD})
    assert response.status_code == 302
    world.manager.refresh_from_db()
    assert world.manager.password.startswith("pbkdf2_sha256$")  # it was rehashed
    for token, secret in tokens:
        token.refresh_from_db()
        assert token.is_active and authenticate(secret) is not None
    assert not AuditEvent.objects.filter(note__contains="password of").exists()
    assert ApiToken.objects.active().count() == 3
