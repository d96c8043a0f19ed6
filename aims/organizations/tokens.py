"""Personal API tokens: issued to a member for one organization, stored hashed, revocable."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from aims.trail.models import Action
from aims.trail.services import record

from .models import Access, ApiToken, Membership


@transaction.atomic
def issue_token(*, user, organization, name: str) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where it is used, e.g. 'CI'."})
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise PermissionDenied("Only members can have a token for this organization.")
    secret, prefix, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, organization=organization, name=name[:100], key_prefix=prefix, key_hash=digest
    )
    record(
        organization,
        actor=user,
        instance=token,
        action=Action.ACCESS,
        changes={"token": [None, f"{token.name} ({prefix}…)"]},
    )
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, actor, note: str = "") -> ApiToken:
    """Revoke a token: its owner may, and an Owner of its organization may revoke anyone's."""
    if token.revoked_at is None:
        if actor is not None and actor.pk != token.user_id:
            membership = Membership.objects.filter(
                user=actor, organization=token.organization
            ).first()
            if membership is None or not membership.can(Access.OWN):
                raise PermissionDenied("Only an Owner may revoke another member's token.")
            note = note or f"Revoked by an Owner; the token was {token.user.get_username()}'s."
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            token.organization,
            actor=actor,
            instance=token,
            action=Action.ACCESS,
            changes={"revoked_at": [None, token.revoked_at.isoformat()]},
            note=note,
        )
    return token


@transaction.atomic
def revoke_all_tokens(user, *, note: str) -> int:
    """Revoke every active token of ``user`` (a changed password): one event per organization."""
    now = timezone.now()
    tokens = list(ApiToken.objects.active().filter(user=user).select_related("organization"))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    by_org: dict[int, list[ApiToken]] = {}
    for token in tokens:
        by_org.setdefault(token.organization_id, []).append(token)
    for org_tokens in by_org.values():
        names = ", ".join(f"{t.name} ({t.key_prefix}…)" for t in org_tokens)
        record(
            org_tokens[0].organization,
            actor=None,
            instance=user,
            action=Action.ACCESS,
            changes={"revoked_tokens": [None, names]},
            note=note,
        )
    return len(tokens)


def authenticate(secret: str) -> tuple[ApiToken, Membership] | None:
    """The active token and its user's current membership, or None."""
    if not secret or not secret.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "organization")
        .filter(key_hash=ApiToken.digest(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("organization", "organization__risk_matrix")
        .filter(user=token.user, organization=token.organization)
        .first()
    )
    if membership is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token, membership
