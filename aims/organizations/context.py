import functools

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject

from aims.core.areas import areas, navigation
from aims.organizations.access import LAST_ORGANIZATION, second_factor_verified
from aims.organizations.models import Access, Membership

NOTICES_SHOWN = 8  # the header's list shows the first few; "My reminders" has them all


def _current(path: str, base: str, entries: list[dict]) -> None:
    """Mark the current link: the one whose page is the longest start of the path (Alerts at
    checks/alerts/ rather than Technical checks at checks/); else any under its area's folder."""
    below = [e for e in entries if e["url"] != base and path.startswith(e["url"])]
    if below:
        max(below, key=lambda e: len(e["url"]))["current"] = True
        return
    for entry in entries:
        folder = entry["folder"]
        entry["current"] = path == entry["url"] or bool(folder and path.startswith(base + folder))


_MARKER = "aims-org-slug-marker"


@functools.lru_cache(maxsize=512)
def _org_url_pattern(url_name: str, urlconf, prefix: str) -> str | None:
    try:
        return reverse(url_name, kwargs={"org": _MARKER}, urlconf=urlconf)
    except NoReverseMatch:
        return None


def _org_url(url_name: str, slug: str) -> str | None:
    """``reverse(url_name, kwargs={"org": slug})``, None when the page does not exist: reversed
    once per URL name, the slug put in after (a slug needs no quoting). The sidebar has some
    fifty links, and a ``reverse`` costs 25 µs."""
    pattern = _org_url_pattern(url_name, get_urlconf(), get_script_prefix())
    return None if pattern is None else pattern.replace(_MARKER, slug)


def _sidebar(request) -> list[tuple[str, list[dict]]]:
    """The registered navigation for the current organization, with the current page marked,
    each link's icon, and its figure (open alerts, say: one query each)."""
    base = f"/o/{request.org.slug}/"
    folder_of = {link: area.prefix for area in areas() for link in area.nav}
    sections, entries = [], []
    for section, links in navigation():
        found = []
        for link in links:
            url = _org_url(link.url_name, request.org.slug)
            if url is None:
                continue
            found.append(
                {
                    "label": link.label,
                    "url": url,
                    "icon": link.icon,
                    "count": link.count(request) if link.count else 0,
                    "count_label": link.count_label,
                    "folder": folder_of.get(link, ""),
                    "current": False,
                }
            )
        if found:
            sections.append((section, found))
            entries.extend(found)
    _current(request.path, base, entries)
    return sections


def header_notices(request) -> dict:
    """The header's notification list: what the areas' links say needs the member now.

    Working it out asks every area what falls due, so no page does it: the bell loads its count
    by htmx after the page (``notice_count``) and its list when opened (``notices``)."""
    notices, see_all = [], []
    for _, links in navigation():
        for link in links:
            if link.notices is None:
                continue
            notices.extend(link.notices(request))
            see_all.append(
                {
                    "label": link.label,
                    "url": reverse(link.url_name, kwargs={"org": request.org.slug}),
                }
            )
    return {
        "count": len(notices),
        "urgent": any(notice.urgent for notice in notices),
        "shown": notices[:NOTICES_SHOWN],
        "more": max(0, len(notices) - NOTICES_SHOWN),
        "see_all": see_all,
    }


def _last_membership(request) -> Membership | None:
    """The signed-in person's membership of the organization they last opened, if they still
    are a member and, where it requires two-factor sign-in, this session passed it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    slug = request.COOKIES.get(LAST_ORGANIZATION, "")
    if not slug or len(slug) > 100:
        return None
    membership = (
        Membership.objects.select_related("organization", "organization__risk_matrix")
        .filter(user=user, organization__slug=slug)
        .first()
    )
    if membership is None:
        return None
    if membership.organization.require_mfa and not second_factor_verified(request):
        return None
    return membership


def navigation_context(request):
    """The current organization and membership, what the user may do in it, the sidebar and
    the header's notifications. The sidebar is computed only when a template shows it (a full page;
    not an htmx partial); the bell loads its own count (:func:`header_notices`)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        membership = _last_membership(request)
        if membership is None:
            return {}
        # An account page (password, security, the organization list): it keeps the navigation
        # of the organization last opened, as the person left it.
        request.org, request.membership = membership.organization, membership
    return {
        "org": request.org,
        "membership": membership,
        "can_contribute": membership.can(Access.CONTRIBUTE),
        "can_manage": membership.can(Access.MANAGE),
        "is_owner": membership.can(Access.OWN),
        "sidebar": SimpleLazyObject(lambda: _sidebar(request)),
    }
