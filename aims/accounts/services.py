"""State changes of an account's sign-in security, each reported in the change trail.

A person's second factor and lockouts concern every organization they belong to, so each one
is recorded in the change trail of each of them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aims.organizations.models import Organization
from aims.trail.models import Action
from aims.trail.services import record

from .mfa import RECOVERY_CODE_COUNT


def _record_everywhere(user, *, actor, note: str) -> None:
    for organization in Organization.objects.filter(memberships__user=user).order_by("pk"):
        record(organization, actor=actor, instance=user, action=Action.ACCESS, note=note)


def record_lockout(*, username: str, ip_address: str, failures: int, until: dt.datetime) -> None:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:  # no such account: nobody's trail to report in
        return
    when = timezone.localtime(until).strftime("%Y-%m-%d %H:%M %Z")
    with transaction.atomic():
        _record_everywhere(
            user,
            actor=None,
            note=f"Sign-in locked out after {failures} failed attempts from {ip_address}; "
            f"refused until {when}.",
        )


def _replace_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return tokens


def confirm_authenticator(user, device: TOTPDevice) -> list[str]:
    """Turn on two-factor sign-in with a confirmed authenticator; returns new recovery codes."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        tokens = _replace_recovery_codes(user)
        _record_everywhere(
            user, actor=user, note="Turned on two-factor sign-in with an authenticator app."
        )
    return tokens


def regenerate_recovery_codes(user) -> list[str]:
    with transaction.atomic():
        tokens = _replace_recovery_codes(user)
        _record_everywhere(
            user, actor=user, note="Replaced the recovery codes; the old ones no longer work."
        )
    return tokens


def remove_second_factor(user) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record_everywhere(user, actor=user, note="Turned off two-factor sign-in.")
