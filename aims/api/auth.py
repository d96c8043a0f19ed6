"""Who calls the API: a personal token, scoped to one organization, acting with its user's role.

Every operation declares the access it needs in its route, in one place::

    @router.post("/systems", auth=CONTRIBUTE, ...)

The check runs before the input is read, so a Viewer sending anything to a write operation gets
403, never a validation error. An operation that forgets to declare its access gets the API's
default, :data:`UNDECLARED`, which refuses everyone: it fails closed.
:func:`aims.api.urls.operation_access` lists the declared access of every operation for tests.
"""

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer

from aims.organizations.models import Access
from aims.organizations.tokens import authenticate


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>``; the token is created in the organization's settings.

    A valid token whose user's current role lacks ``access`` is refused with 403.
    """

    def __init__(self, access: str | None) -> None:
        self.access = access
        super().__init__()

    def authenticate(self, request, token: str):
        found = authenticate(token.strip())
        if found is None:
            return None  # 401
        api_token, membership = found
        if self.access is None:
            raise PermissionDenied("This operation declares no access level; it is refused.")
        if not membership.can(self.access):
            raise PermissionDenied(
                f"Your role ({membership.get_role_display()}) cannot do this: it needs "
                f"“{Access(self.access).label}” access."
            )
        request.api_token = api_token
        request.membership = membership
        request.org = membership.organization
        request.user = api_token.user
        return found


READ = BearerToken(Access.READ)
AUDIT = BearerToken(Access.AUDIT)
CONTRIBUTE = BearerToken(Access.CONTRIBUTE)
MANAGE = BearerToken(Access.MANAGE)
DECIDE = BearerToken(Access.DECIDE)
OWN = BearerToken(Access.OWN)
UNDECLARED = BearerToken(None)
