"""Membership by invitation: an Owner invites, the invitee accepts or declines through a link.

The answer to an Owner is the same whether or not an account exists for what they typed: the
invitation is created either way, and nobody learns about accounts until the invitee answers.
The link carries a random secret; only its digest is stored (see :class:`Invitation`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from aims.trail.models import Action
from aims.trail.services import record

from .models import Invitation, InvitationStatus, Membership, Role

logger = logging.getLogger(__name__)

LinkFor = Callable[[str], str]  # the secret -> the absolute URL of the invitation page


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.AIMS_INVITATION_DAYS)


def clean_invitee(value: str) -> str:
    """An e-mail address or a username, trimmed; refused in words if it is neither."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"invitee": "Give the e-mail address or username of the person."})
    if len(value) > 254:
        raise ValidationError({"invitee": "Use at most 254 characters."})
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                {"invitee": "This is not an e-mail address (like name@example.org)."}
            ) from None
        return value.lower()
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError:
        raise ValidationError(
            {
                "invitee": "A username has letters, digits and @ . + - _ only; or give an "
                "e-mail address."
            }
        ) from None
    if len(value) > 150:
        raise ValidationError({"invitee": "A username has at most 150 characters."})
    return value


def _member_matching(organization, invitee: str) -> Membership | None:
    """A current member of this organization named by ``invitee`` (the Owner sees them anyway)."""
    return (
        Membership.objects.filter(organization=organization)
        .filter(Q(user__username__iexact=invitee) | Q(user__email__iexact=invitee))
        .select_related("user")
        .first()
    )


def _mail_address(invitation: Invitation) -> str | None:
    if "@" in invitation.email:
        return invitation.email
    user = get_user_model().objects.filter(username__iexact=invitation.email).first()
    return (user.email or None) if user is not None else None


def _send(invitation: Invitation, link: str) -> None:
    """E-mail the link where an address is known; a failure is logged, never shown.

    Whether mail went out is not reported to the Owner: for a username that would say whether
    the account exists.
    """
    address = _mail_address(invitation)
    if address is None:
        return
    inviter = invitation.invited_by.get_username() if invitation.invited_by else "An Owner"
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    body = (
        f"{inviter} invites you to join {invitation.organization.name} in OpenAIMS as "
        f"{invitation.get_role_display()}.\n\n"
        f"Open this link to accept or decline (it works once, until {expires}):\n\n{link}\n\n"
        "If you did not expect this, ignore this message: nothing happens unless you accept.\n"
    )
    try:
        send_mail(
            f"Invitation to {invitation.organization.name} in OpenAIMS",
            body,
            None,
            [address],
        )
    except Exception:  # SMTP down, refused address...: the Owner still has the link
        logger.warning("could not e-mail invitation %s", invitation.pk, exc_info=True)


def invite(
    organization,
    *,
    actor,
    invitee: str,
    role: str,
    is_top_management: bool = False,
    link_for: LinkFor,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link; return it with the secret of the link.

    An open invitation for the same person is replaced, so only the newest link works.
    """
    invitee = clean_invitee(invitee)
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    existing = _member_matching(organization, invitee)
    if existing is not None:
        raise ValidationError(
            {"invitee": f"{existing.user.get_username()} is already a member of this organization."}
        )
    secret, digest = Invitation.generate()
    with transaction.atomic():
        now = timezone.now()
        for old in Invitation.objects.open().filter(
            organization=organization, email__iexact=invitee
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            record(
                organization,
                actor=actor,
                instance=old,
                action=Action.ACCESS,
                changes={"revoked_at": [None, now.isoformat()]},
                note="Replaced by a new invitation.",
            )
        invitation = Invitation.objects.create(
            organization=organization,
            email=invitee,
            role=role,
            is_top_management=is_top_management,
            invited_by=actor,
            key_hash=digest,
            expires_at=_expiry(),
        )
        record(
            organization,
            actor=actor,
            instance=invitation,
            action=Action.CREATE,
            changes={
                "email": [None, invitee],
                "role": [None, role],
                "is_top_management": [None, is_top_management],
                "expires_at": [None, invitation.expires_at.isoformat()],
            },
        )
    _send(invitation, link_for(secret))
    return invitation, secret


def _refuse_unless_open(invitation: Invitation, what: str) -> None:
    if invitation.status in (
        InvitationStatus.ACCEPTED,
        InvitationStatus.DECLINED,
        InvitationStatus.REVOKED,
    ):
        raise ValidationError(
            f"This invitation was {invitation.get_status_display().lower()}; it cannot be {what}."
        )


def resend_invitation(
    invitation: Invitation, *, actor, link_for: LinkFor
) -> tuple[Invitation, str]:
    """A new link and a new expiry for an open invitation; the old link stops working."""
    _refuse_unless_open(invitation, "sent again")
    secret, digest = Invitation.generate()
    with transaction.atomic():
        before = invitation.expires_at
        invitation.key_hash = digest
        invitation.expires_at = _expiry()
        updated = (
            Invitation.objects.open()
            .filter(pk=invitation.pk)
            .update(key_hash=digest, expires_at=invitation.expires_at)
        )
        if not updated:
            invitation.refresh_from_db()
            _refuse_unless_open(invitation, "sent again")
        record(
            invitation.organization,
            actor=actor,
            instance=invitation,
            action=Action.UPDATE,
            changes={"expires_at": [before.isoformat(), invitation.expires_at.isoformat()]},
            note="Sent again with a new link; the previous link no longer works.",
        )
    _send(invitation, link_for(secret))
    return invitation, secret


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor) -> Invitation:
    _refuse_unless_open(invitation, "revoked")
    now = timezone.now()
    if not Invitation.objects.open().filter(pk=invitation.pk).update(revoked_at=now):
        invitation.refresh_from_db()
        _refuse_unless_open(invitation, "revoked")
    invitation.revoked_at = now
    record(
        invitation.organization,
        actor=actor,
        instance=invitation,
        action=Action.ACCESS,
        changes={"revoked_at": [None, now.isoformat()]},
    )
    return invitation


def find(secret: str) -> Invitation | None:
    """The invitation a link names, whatever its state, or None."""
    if not secret or len(secret) > 100:
        return None
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(key_hash=Invitation.digest(secret))
        .first()
    )


def refusal(invitation: Invitation, user) -> str | None:
    """Why ``user`` may not answer this invitation, in words; None when they may."""
    status = invitation.status
    if status == InvitationStatus.ACCEPTED:
        return "This invitation has already been used. Each link works once."
    if status == InvitationStatus.DECLINED:
        return "This invitation was declined. Ask an Owner of the organization for a new one."
    if status == InvitationStatus.REVOKED:
        return (
            "This invitation was withdrawn by the organization (or replaced by a newer one). "
            "Ask an Owner for a new one."
        )
    if status == InvitationStatus.EXPIRED:
        when = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M")
        return f"This invitation expired on {when}. Ask an Owner of the organization to resend it."
    if not invitation.is_for(user):
        return (
            "This invitation is for someone else: it names another username or e-mail address "
            "than your account's. Sign in with the account it was meant for, or ask the Owner to "
            "invite your username."
        )
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        return f"You are already a member of {invitation.organization.name}."
    return None


def accept_invitation(invitation: Invitation, *, user) -> Membership:
    """Make ``user`` a member with the invited role, once; refused in words otherwise.

    Marking the invitation used is a conditional update, so two simultaneous answers cannot
    both succeed; the membership is created in a savepoint, so a duplicate (the same person
    added at the same moment by another request) becomes a refusal, not a server error.
    """
    reason = refusal(invitation, user)
    if reason:
        raise ValidationError(reason)
    organization = invitation.organization
    with transaction.atomic():
        now = timezone.now()
        claimed = (
            Invitation.objects.open()
            .filter(pk=invitation.pk, expires_at__gt=now)
            .update(accepted_at=now, accepted_by=user)
        )
        if not claimed:
            invitation.refresh_from_db()
            raise ValidationError(
                refusal(invitation, user) or "This invitation has already been used."
            )
        invitation.accepted_at, invitation.accepted_by = now, user
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    organization=organization,
                    user=user,
                    role=invitation.role,
                    is_top_management=invitation.is_top_management,
                )
        except IntegrityError:
            raise ValidationError(f"You are already a member of {organization.name}.") from None
        record(
            organization,
            actor=user,
            instance=membership,
            action=Action.ACCESS,
            changes={
                "role": [None, membership.role],
                "is_top_management": [None, membership.is_top_management],
            },
            note=f"Accepted the invitation sent to {invitation.email}"
            + (f" by {invitation.invited_by.get_username()}." if invitation.invited_by else "."),
        )
    return membership


@transaction.atomic
def decline_invitation(invitation: Invitation, *, user) -> Invitation:
    reason = refusal(invitation, user)
    if reason and invitation.status != InvitationStatus.PENDING:
        raise ValidationError(reason)
    if not invitation.is_for(user):
        raise ValidationError(reason)
    now = timezone.now()
    if not Invitation.objects.open().filter(pk=invitation.pk).update(declined_at=now):
        invitation.refresh_from_db()
        raise ValidationError(refusal(invitation, user) or "This invitation was answered already.")
    invitation.declined_at = now
    record(
        invitation.organization,
        actor=user,
        instance=invitation,
        action=Action.ACCESS,
        changes={"declined_at": [None, now.isoformat()]},
        note=f"{user.get_username()} declined the invitation.",
    )
    return invitation
