"""Second factor: an authenticator app (TOTP) and one-time recovery codes, via django-otp.

Checking a code counts a failure like a wrong password does (django-axes), so five wrong codes
lock the username and address out, whichever step they were entered at.
"""

from __future__ import annotations

import base64
import io
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
CODE_MAX_LENGTH = 32


def has_second_factor(user) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def is_verified(request) -> bool:
    """Whether this session was confirmed with a second factor (django-otp's middleware)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device else 0


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up (not yet confirmed with a first code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as the base32 text an authenticator app accepts, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as a QR code: an SVG in a data: URI (no script, no inline style)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, dark="#111111"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def normalize(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def display_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token


def match_code(user, code: str, *, devices=None):
    """The device that accepts ``code`` (TOTP first, then a recovery code, used up), or None."""
    code = normalize(code)
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    with transaction.atomic():
        if devices is None:
            totp = TOTPDevice.objects.devices_for_user(user, confirmed=True)
            static = StaticDevice.objects.devices_for_user(user, confirmed=True)
            devices = [*totp.select_for_update(), *static.select_for_update()]
        for device in devices:
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue
            if device.verify_token(code):
                return device
    return None


class Locked(Exception):
    """The username and address are locked out: show the lockout page."""


def check_code(request, user, code: str, *, devices=None):
    """Check a code entered by ``user``; a wrong one counts as a failed sign-in.

    Returns the device that accepted it, or None. Raises :class:`Locked` when the account is
    locked out from this address (before or because of this attempt).
    """
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        raise Locked
    device = match_code(user, code, devices=devices)
    if device is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if request.axes_locked_out:
            raise Locked
        return None
    return device


def reset_failures(request, user) -> None:
    """A right code clears the failures of this username and address (like a sign-in does)."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(
        ip_address=request.axes_ip_address, username=user.get_username()
    )
