from django.urls import NoReverseMatch, reverse

from aims.core.areas import areas, navigation
from aims.organizations.models import Access


def _sidebar(request) -> list[tuple[str, list[dict]]]:
    """The registered navigation for the current organization, with the current page marked:
    a link is current on its own page and anywhere under its area's folder."""
    base = f"/o/{request.org.slug}/"
    folder_of = {link: area.prefix for area in areas() for link in area.nav}
    sections = []
    for section, links in navigation():
        entries = []
        for link in links:
            try:
                url = reverse(link.url_name, kwargs={"org": request.org.slug})
            except NoReverseMatch:
                continue
            folder = folder_of.get(link, "")
            current = request.path == url or bool(folder and request.path.startswith(base + folder))
            entries.append({"label": link.label, "url": url, "current": current})
        if entries:
            sections.append((section, entries))
    return sections


def navigation_context(request):
    """The current organization and membership, what the user may do in it, and the sidebar."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "org": request.org,
        "membership": membership,
        "can_contribute": membership.can(Access.CONTRIBUTE),
        "can_manage": membership.can(Access.MANAGE),
        "is_owner": membership.can(Access.OWN),
        "sidebar": _sidebar(request),
    }
