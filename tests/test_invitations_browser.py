"""Invite a person, who opens the link, signs in, accepts, and appears among the members."""

from __future__ import annotations

import re

import pytest
from conftest import BROWSER, PASSWORD, make_user

from aims.catalog.loader import load_catalog
from aims.organizations.models import Invitation, InvitationStatus, Membership, Role
from aims.organizations.services import create_organization

pytestmark = BROWSER


def sign_in(page, username):
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_an_invited_person_accepts_and_appears_among_the_members(page, browser, live_server):
    load_catalog()
    owner = make_user("olivia.owner")
    make_user("bob.builder")  # has an account in another tenant, nothing here
    org = create_organization(name="Acme Lending", owner=owner)
    members = f"/o/{org.slug}/settings/members/"

    # The Owner invites by e-mail address and gets the link.
    page.goto("/login/")
    sign_in(page, "olivia.owner")
    page.wait_for_url(re.compile(rf"/o/{org.slug}/$"))
    page.goto(members)
    page.click("text=Invite a member")
    page.fill("#id_invitee", "bob.builder@example.test")
    page.select_option("#id_role", Role.CONTRIBUTOR)
    page.click("button:has-text('Create invitation')")
    page.get_by_text("Invitation created for").wait_for()
    link = page.input_value("#invitation-link")
    assert link.startswith(live_server.url + "/invitations/")
    assert not Membership.objects.filter(organization=org, user__username="bob.builder").exists()
    page.goto(members)
    assert page.get_by_text("Invitations waiting for an answer").is_visible()
    assert page.get_by_text("bob.builder@example.test").is_visible()

    # Bob opens the link in his own browser: sign in first, then back to the invitation.
    context = browser.new_context(base_url=live_server.url)
    bob = context.new_page()
    try:
        bob.goto(link)
        bob.wait_for_url(re.compile(r"/login/\?next="))
        sign_in(bob, "bob.builder")
        bob.wait_for_url(re.compile(r"/invitations/"))
        assert bob.get_by_role("heading", name="Join Acme Lending?").is_visible()
        assert bob.get_by_text("olivia.owner").is_visible()
        bob.click("button:has-text('Accept and join')")
        bob.wait_for_url(re.compile(rf"/o/{org.slug}/$"))
        assert bob.get_by_text("Welcome to Acme Lending").is_visible()
    finally:
        context.close()

    membership = Membership.objects.get(organization=org, user__username="bob.builder")
    assert membership.role == Role.CONTRIBUTOR
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED

    # The Owner sees Bob among the members and no open invitation any more.
    page.goto(members)
    assert page.locator("td strong", has_text="bob.builder").is_visible()
    assert page.get_by_text("Invitations waiting for an answer").count() == 0
