"""Sign-in in one or two steps, and the Account security page (authenticator, recovery codes)."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import mfa, services
from .forms import CodeForm, FirstCodeForm, RemoveCodeForm
from .lockout import lockout_response

PENDING = "aims_sign_in_pending"  # the user whose password was right, waiting for a code
PENDING_SECONDS = 5 * 60
SHOW_ONCE = "aims_recovery_codes_once"


def _safe_next(request, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SignInView(LoginView):
    """The password step; an account with a second factor goes on to the code step."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not mfa.has_second_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
        }
        return redirect("login_code")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _recovery_note(request, user, device) -> None:
    if isinstance(device, StaticDevice):
        left = mfa.recovery_codes_left(user)
        messages.warning(
            request,
            f"You signed in with a recovery code; it cannot be used again. {left} left: "
            "replace them under Account security if you are running out.",
        )


def login_code(request):
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        if request.method == "POST":
            messages.error(request, "Your sign-in took too long. Enter your password again.")
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.check_code(request, user, form.cleaned_data["code"])
        except mfa.Locked:
            request.session.pop(PENDING, None)
            return lockout_response(request, credentials={"username": user.get_username()})
        if device is not None:
            request.session.pop(PENDING, None)
            user.otp_device = device  # django-otp marks the session verified at login
            auth_login(request, user, backend=pending["backend"])
            _recovery_note(request, user, device)
            return redirect(_safe_next(request, pending.get("next"), reverse("home")))
        form.add_error("code", "That code is not right. Enter the code your app shows now.")
    return render(request, "accounts/login_code.html", {"form": form, "pending_user": user})


@login_required
def verify(request):
    """Confirm a signed-in session with a code (when a page needs a verified second factor)."""
    next_url = _safe_next(request, request.GET.get("next"), reverse("home"))
    if not mfa.has_second_factor(request.user):
        return redirect(_with_next(reverse("mfa_enrol"), next_url))
    if mfa.is_verified(request):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.check_code(request, request.user, form.cleaned_data["code"])
        except mfa.Locked:
            return lockout_response(request, credentials={"username": request.user.get_username()})
        if device is not None:
            mfa.reset_failures(request, request.user)
            otp_login(request, device)
            _recovery_note(request, request.user, device)
            return redirect(next_url)
        form.add_error("code", "That code is not right. Enter the code your app shows now.")
    return render(request, "accounts/verify.html", {"form": form})


def _security_context(request, remove_form) -> dict:
    user = request.user
    return {
        "authenticator": mfa.authenticator(user),
        "codes_left": mfa.recovery_codes_left(user),
        "verified": mfa.is_verified(request),
        "remove_form": remove_form,
        "required_by": list(
            user.memberships.filter(organization__require_mfa=True).values_list(
                "organization__name", flat=True
            )
        ),
    }


@login_required
def security(request):
    context = _security_context(request, RemoveCodeForm())
    return render(request, "accounts/security.html", context)


@login_required
def enrol(request):
    """Set up an authenticator app: scan or type the secret, confirm with a first code."""
    user = request.user
    next_url = _safe_next(request, request.GET.get("next"), "")
    if mfa.authenticator(user) is not None:
        messages.info(request, "Two-factor sign-in is already on for your account.")
        return redirect(next_url or "account_security")
    device = mfa.pending_authenticator(user)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.match_code(user, form.cleaned_data["code"], devices=[device]) is not None:
            request.session[SHOW_ONCE] = services.confirm_authenticator(user, device)
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(_with_next(reverse("mfa_recovery_codes"), next_url))
        form.add_error(
            "code",
            "That code does not match. Check that your phone's clock is right and enter the "
            "code it shows now.",
        )
    context = {
        "form": form,
        "secret": mfa.secret_text(device),
        "qr": mfa.qr_data_uri(device),
        "next": next_url,
    }
    return render(request, "accounts/enrol.html", context)


@login_required
def recovery_codes(request):
    """New recovery codes are shown once, right after they are made; replace them here."""
    user = request.user
    if mfa.authenticator(user) is None:
        return redirect("account_security")
    if request.method == "POST":
        if not mfa.is_verified(request):
            messages.error(request, "Confirm this session with a code first.")
            return redirect(_with_next(reverse("mfa_verify"), reverse("mfa_recovery_codes")))
        request.session[SHOW_ONCE] = services.regenerate_recovery_codes(user)
        messages.success(request, "New recovery codes made; the old ones no longer work.")
        return redirect("mfa_recovery_codes")
    shown = request.session.pop(SHOW_ONCE, None)
    context = {
        "codes": [mfa.display_code(c) for c in shown] if shown else None,
        "codes_left": mfa.recovery_codes_left(user),
        "next": _safe_next(request, request.GET.get("next"), ""),
    }
    return render(request, "accounts/recovery_codes.html", context)


@login_required
@require_POST
def remove(request):
    """Turn two-factor sign-in off, after a code proves the person holds the factor."""
    user = request.user
    form = RemoveCodeForm(request.POST)
    if mfa.authenticator(user) is None:
        return redirect("account_security")
    if form.is_valid():
        try:
            device = mfa.check_code(request, user, form.cleaned_data["code"])
        except mfa.Locked:
            return lockout_response(request, credentials={"username": user.get_username()})
        if device is not None:
            mfa.reset_failures(request, user)
            services.remove_second_factor(user)
            messages.success(request, "Two-factor sign-in is off. Your recovery codes are gone.")
            return redirect("account_security")
        form.add_error("code", "That code is not right; two-factor sign-in stays on.")
    return render(request, "accounts/security.html", _security_context(request, form), status=422)
