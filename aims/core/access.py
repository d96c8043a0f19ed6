"""Who may see and change what: every organization page goes through :func:`org_view`.

URLs under ``/o/<org>/`` name the organization by slug. A user who is not a member gets a 404
(the organization's existence is not disclosed); a member whose role lacks the access the view
declares gets a 403. The access a view needs is kept on it, so a test can walk every route.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from aims.organizations.models import Access, Membership


def membership_for(user, org_slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("organization", "organization__risk_matrix")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organization.")
    return membership


def org_view(access: str = Access.READ):
    """Decorate a view taking ``org`` from the URL; sets ``request.org`` and ``request.membership``."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, org, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org)
            if not membership.can(access):
                raise PermissionDenied(
                    f"Your role ({membership.get_role_display()}) cannot do this here."
                )
            request.org = membership.organization
            request.membership = membership
            return view(request, *args, **kwargs)

        wrapped.aims_access = access
        return wrapped

    return decorate
