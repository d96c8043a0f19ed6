import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from aims.organizations.models import ApiToken, Invitation, Membership, Role
from aims.organizations.tokens import authenticate, issue_token
from aims.trail.models import AuditEvent


def page(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


# --- index and scope -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "manager", "auditor", "viewer"])
def test_every_member_sees_the_settings(world, who):
    response = world.client(getattr(world, who)).get(page(world, "settings_index"))
    assert response.status_code == 200
    assert world.org.slug in response.content.decode()


def test_an_outsider_gets_404_on_every_settings_page(world):
    client = world.client(world.outsider)
    member = world.membership(world.viewer)
    for name, kwargs in [
        ("settings_index", {}),
        ("settings_scope", {}),
        ("member_list", {}),
        ("member_add", {}),
        ("member_edit", {"member_id": member.pk}),
        ("token_list", {}),
        ("token_create", {}),
    ]:
        assert client.get(page(world, name, **kwargs)).status_code == 404, name


def test_a_manager_edits_the_scope_and_it_is_audited(world):
    response = world.client(world.manager).post(
        page(world, "settings_scope"),
        {"name": "Acme Lending plc", "scope": "All AI in consumer lending."},
    )
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.name == "Acme Lending plc"
    assert world.org.scope == "All AI in consumer lending."
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.actor_label == world.manager.username and "scope" in event.changes


@pytest.mark.parametrize("who", ["contributor", "auditor", "viewer"])
def test_others_cannot_edit_the_scope(world, who):
    client = world.client(getattr(world, who))
    assert client.get(page(world, "settings_scope")).status_code == 403
    response = client.post(page(world, "settings_scope"), {"name": "X", "scope": "Y"})
    assert response.status_code == 403
    world.org.refresh_from_db()
    assert world.org.name == "Acme Lending"


def test_the_scope_form_needs_a_name(world):
    response = world.client(world.owner).post(page(world, "settings_scope"), {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_an_owner_requires_two_factor_sign_in_and_members_without_it_are_sent_to_set_it_up(world):
    response = world.client(world.owner).post(
        page(world, "settings_scope"),
        {"name": "Acme Lending", "scope": "", "require_mfa": "on"},
    )
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.require_mfa
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.actor_label == world.owner.username
    assert event.changes["require_mfa"] == [False, True]

    response = world.client(world.viewer).get(page(world, "dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_enrol"))


def test_a_manager_cannot_change_the_two_factor_requirement(world):
    client = world.client(world.manager)
    assert "require_mfa" not in client.get(page(world, "settings_scope")).context["form"].fields
    response = client.post(
        page(world, "settings_scope"), {"name": "Acme Lending", "require_mfa": "on"}
    )
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert not world.org.require_mfa


def test_the_scope_has_a_maximum_length(world):
    response = world.client(world.owner).post(
        page(world, "settings_scope"), {"name": "Acme Lending", "scope": "x" * 20_001}
    )
    assert response.status_code == 200
    assert "at most 20000" in response.context["form"].errors["scope"][0]
    world.org.refresh_from_db()
    assert world.org.scope == ""


# --- members ------------------------------------------------------------------------------


def test_members_see_the_list_but_only_an_owner_sees_the_controls(world):
    as_viewer = world.client(world.viewer).get(page(world, "member_list")).content.decode()
    as_owner = world.client(world.owner).get(page(world, "member_list")).content.decode()
    assert world.manager.username in as_viewer
    assert "Invite a member" not in as_viewer and "Change role" not in as_viewer
    assert "Invite a member" in as_owner and "Change role" in as_owner


@pytest.mark.parametrize("who", ["manager", "contributor", "auditor", "viewer"])
def test_only_an_owner_manages_members(world, who):
    client = world.client(getattr(world, who))
    target = world.membership(world.viewer)
    assert client.get(page(world, "member_add")).status_code == 403
    assert (
        client.post(
            page(world, "member_add"), {"invitee": "oscar.outsider", "role": "owner"}
        ).status_code
        == 403
    )
    assert (
        client.post(page(world, "member_edit", member_id=target.pk), {"role": "owner"}).status_code
        == 403
    )
    assert client.post(page(world, "member_remove", member_id=target.pk)).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.VIEWER
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()
    assert not Invitation.objects.exists()


def test_an_owner_naming_an_existing_user_invites_them_without_adding_them(world):
    response = world.client(world.owner).post(
        page(world, "member_add"),
        {"invitee": "OSCAR.OUTSIDER@example.test", "role": Role.AUDITOR},
    )
    assert response.status_code == 200
    assert "Invitation created for" in response.content.decode()
    invitation = Invitation.objects.get(organization=world.org)
    assert invitation.email == "oscar.outsider@example.test" and invitation.role == Role.AUDITOR
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()


def test_inviting_an_existing_member_again_is_refused_on_the_field(world):
    response = world.client(world.owner).post(
        page(world, "member_add"), {"invitee": world.viewer.username, "role": Role.OWNER}
    )
    assert response.status_code == 200
    assert "already a member" in response.context["form"].errors["invitee"][0]
    assert world.membership(world.viewer).role == Role.VIEWER
    assert not Invitation.objects.exists()


def test_an_unknown_user_gets_the_same_answer_as_a_known_one(world):
    """The old form said "No account is called ...": a way to find out who has an account."""
    client = world.client(world.owner)
    answers = []
    for invitee in ("oscar.outsider", "nobody.at.all"):
        response = client.post(page(world, "member_add"), {"invitee": invitee, "role": "viewer"})
        assert response.status_code == 200
        text = response.content.decode()
        assert "No account" not in text and "is taken" not in text
        main = text[text.index("<main") : text.index("</main>")]
        answers.append(main.replace(response.context["link"], "LINK").replace(invitee, "NAME"))
    assert answers[0] == answers[1]
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "oscar.outsider",
        "nobody.at.all",
    }
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()


def test_the_invitation_form_no_longer_creates_accounts(world):
    response = world.client(world.owner).post(
        page(world, "member_add"),
        {
            "new_username": "nina.new",
            "new_email": "nina@example.test",
            "new_password": "a-long-and-unusual-passphrase",
            "role": Role.CONTRIBUTOR,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["invitee"]
    assert not get_user_model().objects.filter(username="nina.new").exists()
    assert not Invitation.objects.exists()


def test_an_owner_changes_a_role(world):
    target = world.membership(world.viewer)
    response = world.client(world.owner).post(
        page(world, "member_edit", member_id=target.pk),
        {"role": Role.MANAGER, "is_top_management": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.MANAGER and target.is_top_management


def test_the_last_owner_cannot_be_demoted(world):
    own = world.membership(world.owner)
    response = world.client(world.owner).post(
        page(world, "member_edit", member_id=own.pk), {"role": Role.MANAGER}
    )
    assert response.status_code == 200
    assert "at least one Owner" in response.context["form"].errors["role"][0]
    own.refresh_from_db()
    assert own.role == Role.OWNER


def test_the_last_owner_cannot_be_removed(world):
    own = world.membership(world.owner)
    response = world.client(world.owner).post(
        page(world, "member_remove", member_id=own.pk), follow=True
    )
    assert "at least one Owner" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_an_owner_removes_a_member_with_post_only(world):
    target = world.membership(world.viewer)
    client = world.client(world.owner)
    assert client.get(page(world, "member_remove", member_id=target.pk)).status_code == 405
    response = client.post(page(world, "member_remove", member_id=target.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert world.client(world.viewer).get(page(world, "dashboard")).status_code == 404


def test_a_member_of_another_organization_is_404(world):
    foreign = Membership.objects.get(organization=world.other_org, user=world.outsider)
    client = world.client(world.owner)
    assert client.get(page(world, "member_edit", member_id=foreign.pk)).status_code == 404
    assert client.post(page(world, "member_remove", member_id=foreign.pk)).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


# --- tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "auditor", "owner"])
def test_any_member_creates_a_token_and_sees_the_secret_once(world, who):
    user = getattr(world, who)
    client = world.client(user)
    response = client.post(page(world, "token_create"), {"name": "CI pipeline"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("aims_") and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"

    token = ApiToken.objects.get(user=user, organization=world.org)
    assert token.key_hash == ApiToken.digest(secret) and secret not in token.key_hash
    assert authenticate(secret)[0] == token
    listing = client.get(page(world, "token_list")).content.decode()
    assert "CI pipeline" in listing and secret not in listing


def test_a_token_needs_a_name(world):
    response = world.client(world.viewer).post(page(world, "token_create"), {"name": " "})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_a_member_sees_only_their_own_tokens(world):
    issue_token(user=world.manager, organization=world.org, name="Manager's sync")
    content = world.client(world.viewer).get(page(world, "token_list")).content.decode()
    assert "Manager&#x27;s sync" not in content and "Manager's sync" not in content
    assert "No tokens yet" in content


def test_a_member_revokes_their_own_token(world):
    token, secret = issue_token(user=world.viewer, organization=world.org, name="Laptop")
    client = world.client(world.viewer)
    assert client.get(page(world, "token_revoke", token_id=token.pk)).status_code == 405
    response = client.post(page(world, "token_revoke", token_id=token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate(secret) is None


def test_only_an_owner_revokes_someone_elses_token(world):
    token, secret = issue_token(user=world.manager, organization=world.org, name="Sync")
    for user in (world.viewer, world.contributor, world.top_manager, world.outsider):
        response = world.client(user).post(page(world, "token_revoke", token_id=token.pk))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and authenticate(secret) is not None

    response = world.client(world.owner).post(page(world, "token_revoke", token_id=token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and authenticate(secret) is None
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.actor_label == world.owner.username and "revoked_at" in event.changes


# --- organization creation ------------------------------------------------------------------


def test_organization_creation_is_refused_when_the_instance_does_not_allow_it(world, settings):
    from aims.organizations.models import Organization

    settings.AIMS_ALLOW_ORG_CREATION = False
    client = world.client(world.viewer)
    before = Organization.objects.count()
    assert client.get("/organizations/new/").status_code == 403
    response = client.post("/organizations/new/", {"name": "Shadow Org"})
    assert response.status_code == 403 and "operator" in response.content.decode()
    assert Organization.objects.count() == before
    assert "/organizations/new/" not in client.get("/organizations/").content.decode()


def test_organization_creation_works_when_the_instance_allows_it(world, settings):
    from aims.organizations.models import Membership, Organization

    settings.AIMS_ALLOW_ORG_CREATION = True
    client = world.client(world.viewer)
    assert "/organizations/new/" in client.get("/organizations/").content.decode()
    response = client.post("/organizations/new/", {"name": "New Org"})
    assert response.status_code == 302
    org = Organization.objects.get(name="New Org")
    assert Membership.objects.get(organization=org, user=world.viewer).role == Role.OWNER


def test_only_an_owner_changes_the_two_factor_requirement_through_the_service(world):
    from django.core.exceptions import PermissionDenied

    from aims.organizations.services import update_settings

    with pytest.raises(PermissionDenied, match="Only an Owner can require two-factor"):
        update_settings(world.org, actor=world.manager, require_mfa=True)
    world.org.refresh_from_db()
    assert world.org.require_mfa is False
    update_settings(world.org, actor=world.manager, scope="Credit AI at head office.")
    world.org.refresh_from_db()
    assert world.org.scope == "Credit AI at head office."
    with pytest.raises(PermissionDenied):
        update_settings(world.org, actor=world.contributor, scope="Everything")
    update_settings(world.org, actor=world.owner, require_mfa=True)
    world.org.refresh_from_db()
    assert world.org.require_mfa is True
