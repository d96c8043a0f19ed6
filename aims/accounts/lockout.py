"""Lockout after repeated failed sign-ins (django-axes): the page shown and the change trail.

Five failures for one username from one address (password or one-time code) lock that
combination out for ``AXES_COOLOFF_TIME``; the right password is refused until then. The first
failure that locks is reported in the change trail of every organization the account belongs to.
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Max
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone


def unlocks_at(request, username: str | None) -> dt.datetime:
    """When the username and address of this request may try again."""
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request) or dt.timedelta(0)
    last = AccessAttempt.objects.filter(
        username=username, ip_address=request.axes_ip_address
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE), status 429."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    until = unlocks_at(request, username)
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    context = {
        "until": timezone.localtime(until),
        "minutes": minutes,
        "failure_limit": get_failure_limit(request, credentials),
    }
    response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


@receiver(user_locked_out)
def report_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    # Axes signals again on every refused attempt during the lockout; only the failure that
    # locked (the one it counted) is reported.
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        return
    from .services import record_lockout

    record_lockout(
        username=username or "",
        ip_address=ip_address or "unknown",
        failures=request.axes_failures_since_start,
        until=unlocks_at(request, username),
    )
