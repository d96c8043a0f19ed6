"""Who may see and change what: every organization page goes through :func:`org_view`.

URLs under ``/o/<org>/`` name the organization by slug. A user who is not a member gets a 404
(the organization's existence is not disclosed); a member whose role lacks the access the view
declares gets a 403; in an organization that requires multi-factor authentication, a member whose
session was not confirmed with a code is sent to set it up or enter one. The access a view needs is kept on it, so a test can walk every route.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from aims.organizations.models import Access, Membership

LAST_ORGANIZATION = "aims_organization"  # a cookie: the slug of the organization last opened


def membership_for(user, org_slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("organization", "organization__risk_matrix")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organization.")
    return membership


def second_factor_verified(request) -> bool:
    """Whether this session was confirmed with a one-time code (django-otp's middleware)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check and check())


def second_factor_required(request, organization):
    """Send a member of an organization that requires MFA to set it up or enter a code.

    Only signed-in members get here (outsiders already had their 404). API tokens do not pass
    through org_view and are not affected.
    """
    if user_has_device(request.user, confirmed=True):
        target = reverse("mfa_verify")
        text = f"{organization.name} requires two-factor sign-in: enter a code to continue."
    else:
        target = reverse("mfa_enrol")
        text = (
            f"{organization.name} requires two-factor sign-in. Set up an authenticator app "
            "to continue."
        )
    messages.warning(request, text)
    url = f"{target}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def org_view(access: str = Access.READ):
    """Decorate a view taking ``org`` from the URL; sets ``request.org`` and ``request.membership``."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, org, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org)
            if membership.organization.require_mfa and not second_factor_verified(request):
                return second_factor_required(request, membership.organization)
            if not membership.can(access):
                raise PermissionDenied(
                    f"Your role ({membership.get_role_display()}) cannot do this here."
                )
            request.org = membership.organization
            request.membership = membership
            response = view(request, *args, **kwargs)
            if request.COOKIES.get(LAST_ORGANIZATION) != org:
                # The account pages show this organization's navigation (context.py). A cookie,
                # not the session: no write to the database; membership is checked on reading.
                response.set_cookie(
                    LAST_ORGANIZATION,
                    org,
                    max_age=settings.SESSION_COOKIE_AGE,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            return response

        wrapped.aims_access = access
        return wrapped

    return decorate
