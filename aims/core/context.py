from aims.organizations.models import Access


def navigation(request):
    """The current organization and membership, and what the user may do in it."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "org": request.org,
        "membership": membership,
        "can_contribute": membership.can(Access.CONTRIBUTE),
        "can_manage": membership.can(Access.MANAGE),
        "is_owner": membership.can(Access.OWN),
    }
