"""Membership by invitation: an Owner invites, only the invitee's own answer makes them a member.

Finding 2 of issue 7: anyone could create an organization and add any account of any tenant to
it, and the add form said which accounts exist.
"""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from aims.organizations import invitations
from aims.organizations.models import Invitation, InvitationStatus, Membership, Role
from aims.organizations.services import add_member
from aims.trail.models import AuditEvent


def members_page(world, name="member_list", **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def invite_by_form(world, invitee, role=Role.CONTRIBUTOR, **extra):
    response = world.client(world.owner).post(
        members_page(world, "member_add"), {"invitee": invitee, "role": role, **extra}
    )
    assert response.status_code == 200, response.content
    return response


def link_path(response) -> str:
    link = response.context["link"]
    return link[link.index("/invitations/") :]


def invite_outsider(world, role=Role.CONTRIBUTOR):
    return invitations.invite(
        world.org,
        actor=world.owner,
        invitee=world.outsider.email,
        role=role,
        link_for=lambda secret: f"http://testserver/invitations/{secret}/",
    )


# --- inviting -------------------------------------------------------------------------------


def test_an_owner_gets_a_link_once_and_the_invitee_an_email(world):
    response = invite_by_form(world, "Oscar.Outsider@Example.test", is_top_management="on")
    text = response.content.decode()
    path = link_path(response)
    assert "Invitation created for" in text and path in text
    assert response["Cache-Control"] == "no-store"

    invitation = Invitation.objects.get(organization=world.org)
    secret = path.strip("/").split("/")[-1]
    assert invitation.key_hash == Invitation.digest(secret) and secret not in invitation.key_hash
    assert invitation.email == "oscar.outsider@example.test"
    assert invitation.role == Role.CONTRIBUTOR and invitation.is_top_management
    assert invitation.invited_by == world.owner and invitation.status == InvitationStatus.PENDING
    assert not Membership.objects.filter(organization=world.org, user=world.outsider).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["oscar.outsider@example.test"]
    assert "Acme Lending" in message.subject and response.context["link"] in message.body
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.record_type == "organizations.invitation" and event.action == "create"
    assert event.changes["email"] == [None, "oscar.outsider@example.test"]

    listing = world.client(world.owner).get(members_page(world)).content.decode()
    assert "oscar.outsider@example.test" in listing and path not in listing


def test_an_invitation_by_username_is_mailed_to_the_account_without_saying_so(world):
    known = invite_by_form(world, world.outsider.username)
    unknown = invite_by_form(world, "nobody.here")
    assert [m.to for m in mail.outbox] == [[world.outsider.email]]

    def main(response, name):
        text = response.content.decode()
        text = text[text.index("<main") : text.index("</main>")]
        return text.replace(response.context["link"], "LINK").replace(name, "NAME")

    assert main(known, world.outsider.username) == main(unknown, "nobody.here")


def test_the_invitation_expires_after_the_configured_days(world, settings):
    settings.AIMS_INVITATION_DAYS = 3
    before = timezone.now()
    invitation, _ = invite_outsider(world)
    assert (
        before + dt.timedelta(days=3)
        <= invitation.expires_at
        <= timezone.now() + dt.timedelta(days=3)
    )


@pytest.mark.parametrize(
    "invitee, words",
    [
        ("", "Give the e-mail address or username"),
        ("not an address@", "not an e-mail address"),
        ("bad\x00name", "Null characters are not allowed"),
        ("x" * 255, "at most 254"),
        ("spaces in name", "letters, digits"),
    ],
)
def test_a_bad_invitee_is_refused_beside_the_field(world, invitee, words):
    response = world.client(world.owner).post(
        members_page(world, "member_add"), {"invitee": invitee, "role": Role.VIEWER}
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["invitee"])
    assert not Invitation.objects.exists() and not mail.outbox


def test_inviting_the_same_person_again_replaces_the_open_invitation(world):
    first, first_secret = invite_outsider(world)
    second, _ = invite_outsider(world, role=Role.AUDITOR)
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED and second.is_pending
    assert invitations.find(first_secret).status == InvitationStatus.REVOKED
    assert list(Invitation.objects.open()) == [second]


def test_mail_that_cannot_be_sent_still_gives_the_owner_the_link(world):
    with mock.patch.object(invitations, "send_mail", side_effect=OSError("no SMTP")):
        response = invite_by_form(world, "nina@example.test")
    assert "Invitation created for" in response.content.decode()
    assert Invitation.objects.get().is_pending


# --- answering ------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login_and_back(world, client):
    _, secret = invite_outsider(world)
    path = f"/invitations/{secret}/"
    for method in ("get", "post"):
        response = getattr(client, method)(path, {"answer": "accept"} if method == "post" else {})
        assert response.status_code == 302
        assert response.url == f"/login/?next={path}"
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()


def test_the_invitee_sees_the_organization_role_and_inviter_and_accepts(world):
    invitation, secret = invite_outsider(world, role=Role.AUDITOR)
    client = world.client(world.outsider)
    text = client.get(f"/invitations/{secret}/").content.decode()
    assert "Acme Lending" in text and "Auditor" in text and world.owner.username in text
    assert "Accept and join" in text and "Decline" in text

    response = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 302
    assert response.url == reverse("dashboard", kwargs={"org": world.org.slug})
    membership = Membership.objects.get(user=world.outsider, organization=world.org)
    assert membership.role == Role.AUDITOR
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.accepted_by == world.outsider and invitation.accepted_at is not None
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.record_type == "organizations.membership" and event.actor == world.outsider
    assert "Accepted the invitation" in event.note
    assert client.get(response.url).status_code == 200


def test_accepting_needs_a_post_with_csrf(world):
    from django.test import Client

    _, secret = invite_outsider(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.outsider)
    response = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()


def test_the_invitee_declines(world):
    invitation, secret = invite_outsider(world)
    client = world.client(world.outsider)
    response = client.post(f"/invitations/{secret}/", {"answer": "decline"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()
    again = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert again.status_code == 409 and "declined" in again.content.decode()


def test_someone_else_holding_the_link_cannot_accept_it(world):
    _, secret = invite_outsider(world)
    client = world.client(world.viewer)
    text = client.get(f"/invitations/{secret}/").content.decode()
    assert "is for someone else" in text and "Accept and join" not in text
    response = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 409
    assert world.membership(world.viewer).role == Role.VIEWER
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()
    assert Invitation.objects.get().is_pending


def test_an_expired_invitation_is_refused_in_words(world):
    invitation, secret = invite_outsider(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client = world.client(world.outsider)
    assert "expired on" in client.get(f"/invitations/{secret}/").content.decode()
    response = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 409 and "expired on" in response.content.decode()
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()


def test_a_used_link_is_refused_in_words(world):
    _, secret = invite_outsider(world)
    client = world.client(world.outsider)
    assert client.post(f"/invitations/{secret}/", {"answer": "accept"}).status_code == 302
    response = client.post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 409 and "already been used" in response.content.decode()
    assert Membership.objects.filter(user=world.outsider, organization=world.org).count() == 1


def test_an_unknown_link_is_404_in_words(world):
    response = world.client(world.outsider).get("/invitations/not-a-real-secret/")
    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_an_existing_member_is_refused_in_words(world):
    invitation, secret = invitations.invite(
        world.org, actor=world.owner, invitee="someone@example.test", role="owner", link_for=str
    )
    world.viewer.email = "someone@example.test"
    world.viewer.save()
    response = world.client(world.viewer).post(f"/invitations/{secret}/", {"answer": "accept"})
    assert response.status_code == 409
    assert "already a member of Acme Lending" in response.content.decode()
    assert world.membership(world.viewer).role == Role.VIEWER
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_organization_requiring_mfa_sends_the_new_member_to_set_it_up(world):
    world.org.require_mfa = True
    world.org.save()
    _, secret = invite_outsider(world)
    client = world.client(world.outsider)
    response = client.post(f"/invitations/{secret}/", {"answer": "accept"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_enrol"))
    assert Membership.objects.filter(user=world.outsider, organization=world.org).exists()


# --- the same person added twice at once: never a 500 ----------------------------------------


def test_a_membership_created_meanwhile_turns_an_accept_into_a_refusal(world):
    """Another request added the person between our check and our insert (the IntegrityError)."""
    invitation, secret = invite_outsider(world)
    Membership.objects.create(user=world.outsider, organization=world.org, role=Role.VIEWER)
    with (
        mock.patch.object(invitations, "refusal", return_value=None),
        pytest.raises(ValidationError, match="already a member"),
    ):
        invitations.accept_invitation(invitation, user=world.outsider)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # rolled back with the failed insert
    assert Membership.objects.get(user=world.outsider, organization=world.org).role == Role.VIEWER


def test_the_same_new_member_added_twice_at_once_is_refused_not_a_500(world):
    add_member(world.org, actor=world.owner, user=world.outsider, role=Role.VIEWER)
    with pytest.raises(ValidationError, match="already a member"):
        add_member(world.org, actor=world.owner, user=world.outsider, role=Role.OWNER)
    # The race: both requests passed the "already a member?" check before either inserted.
    with (
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationError, match="already a member"),
    ):
        add_member(world.org, actor=world.owner, user=world.outsider, role=Role.OWNER)
    assert Membership.objects.get(user=world.outsider, organization=world.org).role == Role.VIEWER


def test_two_accepts_of_one_link_make_one_member_and_a_friendly_answer(world):
    invitation, secret = invite_outsider(world)
    stale = Invitation.objects.get(pk=invitation.pk)  # read by the second request before
    invitations.accept_invitation(invitation, user=world.outsider)
    with (
        mock.patch.object(invitations, "refusal", side_effect=[None, None]),
        pytest.raises(ValidationError, match="already been used"),
    ):
        invitations.accept_invitation(stale, user=world.outsider)
    assert Membership.objects.filter(user=world.outsider, organization=world.org).count() == 1


# --- resending and revoking -------------------------------------------------------------------


def test_resend_gives_a_new_link_and_expiry_and_the_old_link_stops_working(world):
    invitation, old_secret = invite_outsider(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    mail.outbox.clear()
    response = world.client(world.owner).post(
        members_page(world, "invitation_resend", invitation_id=invitation.pk)
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    new_path = link_path(response)
    invitation.refresh_from_db()
    assert invitation.is_pending and invitation.expires_at > timezone.now()
    assert len(mail.outbox) == 1 and new_path in mail.outbox[0].body
    client = world.client(world.outsider)
    assert client.get(f"/invitations/{old_secret}/").status_code == 404
    assert client.post(new_path, {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(user=world.outsider, organization=world.org).exists()


def test_an_owner_revokes_an_invitation_and_its_link_stops_working(world):
    invitation, secret = invite_outsider(world)
    listing = world.client(world.owner).get(members_page(world)).content.decode()
    assert "Revoke the invitation of" in listing  # asks before revoking
    response = world.client(world.owner).post(
        members_page(world, "invitation_revoke", invitation_id=invitation.pk)
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    event = AuditEvent.objects.filter(organization=world.org).first()
    assert event.record_type == "organizations.invitation" and "revoked_at" in event.changes
    answer = world.client(world.outsider).post(f"/invitations/{secret}/", {"answer": "accept"})
    assert answer.status_code == 409 and "withdrawn" in answer.content.decode()
    assert not Membership.objects.filter(user=world.outsider, organization=world.org).exists()
    assert (
        "oscar.outsider@example.test"
        not in world.client(world.owner).get(members_page(world)).content.decode()
    )


@pytest.mark.parametrize("who", ["manager", "contributor", "viewer"])
def test_only_an_owner_sees_resends_or_revokes_invitations(world, who):
    invitation, _ = invite_outsider(world)
    client = world.client(getattr(world, who))
    assert "oscar.outsider@example.test" not in client.get(members_page(world)).content.decode()
    for name in ("invitation_resend", "invitation_revoke"):
        assert (
            client.post(members_page(world, name, invitation_id=invitation.pk)).status_code == 403
        )
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_invitation_of_another_organization_is_404(world):
    foreign, _ = invitations.invite(
        world.other_org, actor=world.outsider, invitee="x@example.test", role="viewer", link_for=str
    )
    response = world.client(world.owner).post(
        members_page(world, "invitation_revoke", invitation_id=foreign.pk)
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_pending
