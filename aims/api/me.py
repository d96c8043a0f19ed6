"""Who the token speaks for: its user, organization and current role."""

from ninja import Router

from aims.organizations.models import Access

from .auth import READ
from .errors import responses
from .schemas import MeOut

router = Router(tags=["Me"])


@router.get(
    "/me",
    auth=READ,
    response=responses(200, MeOut),
    summary="Who am I",
    description="The user, organization and role the token acts with. The role is the user's "
    "current one: a change of role applies to existing tokens at once.",
)
def read_me(request):
    membership = request.membership
    return {
        "user": request.api_token.user,
        "organization": membership.organization,
        "role": membership.role,
        "role_label": membership.get_role_display(),
        "is_top_management": membership.is_top_management,
        "token_name": request.api_token.name,
        "can": [access for access in Access.values if membership.can(access)],
    }
