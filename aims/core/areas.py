"""Areas plug in: each app's ``area.py`` says what it adds, and the ground floor reads it.

The ground floor (``core``, ``organizations``, the change trail, sign-in and the API's plumbing)
imports no area. An area (the AI system inventory, the risk register, the SoA, ...) tells it about
itself instead, the way apps tell Django's admin about their models: its ``area.py`` calls
:func:`register` with an :class:`Area` and, for behaviour other areas may extend, registers hook
functions with :func:`hook`. :func:`autodiscover` imports every installed app's ``area.py`` when
Django is ready, just as ``admin.autodiscover()`` finds every ``admin.py``.

What an :class:`Area` declares:

* its pages: a URL folder under ``/o/<org>/`` and the URLconf module included there;
* its navigation links, each in one of :data:`SECTIONS`;
* its API router (``"aims.risk.api.router"``), added to ``/api/v1/``;
* what a new organization gets (:attr:`Area.set_up_organization`);
* the routes that take large uploads, by limit (:attr:`Area.uploads`).

Hooks (``hook(name)`` to add, :func:`hooks` to read): see :data:`HOOKS` for each name, what a
hook function receives and what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html
from django.utils.module_loading import autodiscover_modules

# Navigation sections, in the order the sidebar shows them.
SECTIONS = ("Overview", "Plan", "Do & check", "Reference", "Settings")

HOOKS = {
    "system_page": "fn(system, request) -> Section | None: a section of an AI system's page.",
    "system_list": "fn(systems, organization) -> (systems, [Column]): columns of the AI system "
    "list and its CSV export, their values annotated on the queryset (one query for a page).",
    "control_page": "fn(control, request) -> Section | None: a section of an Annex A control's "
    "page in the catalog.",
    "clause_page": "fn(clause, request) -> Section | None: a section of a clause's page.",
    "system_tier": "fn(system) -> str: why an AI system's risk tier may not be set by hand (a "
    "signed EU AI Act classification sets it); empty when it may.",
    "system_deletion": "fn(system) -> [str]: why deleting an AI system registered by mistake "
    'would lose this area\'s records ("2 impact assessments name it"); empty when none.',
    "run_page": "fn(run, request) -> Section | None: a section of a check run's page (open an "
    "incident from a failed run, say).",
    "run_recorded": "fn(run): after a passing or failing check run is stored, inside its "
    "transaction (a failing run opens a nonconformity; a passing rerun is noted on it).",
    "nonconformity_page": "fn(nonconformity, request) -> Section | None: a section of a "
    "nonconformity's page (the audit finding or the review that raised it, say).",
    "incident_page": "fn(incident, request) -> Section | None: a section of an incident's page "
    "(the nonconformity or the improvement it led to, say).",
    "review_inputs": "fn(review, request) -> Section | None: an input section of a management "
    "review, compiled from the area's data (the latest readiness assessment, say).",
    "dataset_page": "fn(dataset, request) -> Section | None: a section of a data set's page.",
    "risk_page": "fn(risk, request) -> Section | None: a section of a risk's page (the impact "
    "assessment that raised it, say).",
    "alert_actions": "fn() -> RecordAction: an action offered beside each alert of the alerts "
    "list; its URL is reversed with ``org`` and ``alert_id``.",
    "control_status": "fn(organization) -> {control id: Section}: what the catalog's list of "
    "controls shows beside each control (the SoA decision, say), for all at once.",
    "evidence_links": "fn() -> RecordLink: a kind of record evidence can support.",
    "dashboard": "fn(organization) -> DashboardPart: figures and sections of the dashboard.",
    "catalog_loaded": "fn(): after the catalog changed (new controls, say).",
    "proposal_kinds": "fn() -> aims.proposals.kinds.ProposalKind: a change that needs decision "
    "authority, which a member without it may propose.",
    "control_records": "fn() -> ControlRecords: a kind of record that addresses clauses and "
    "Annex A controls (a document, an objective, ...); the SoA counts a control with a current "
    "one as evidenced and its pages list them.",
    "due": "fn(organization, today) -> [DueItem]: what falls due (reviews, deadlines, expiring "
    "training), for the reminders list, the daily digest and the top-management page.",
    "involvement": "fn(organization, since) -> [Involvement]: what members did that shows "
    "leadership (approvals, acceptances, meetings attended, decisions), for clause 5.1.",
    "measures": "fn() -> [Measure]: a figure the app computes from its own data that a KPI can "
    "follow (share of training complete, overdue actions, ...).",
    "template_values": "fn(organization) -> {name: text}: values a document template may use "
    "({{ scope }}, {{ roles }}, ...).",
    "periodic": "fn(now) -> [str]: work the background worker does each round (it decides "
    "itself whether it is due); returns lines for the worker's log.",
    "search": "fn() -> SearchKind: a kind of record the global search finds (its records of "
    "the organization whose title, name or ref holds every word of the query).",
}


@dataclass(frozen=True)
class NavLink:
    """A link of the sidebar: ``url_name`` is reversed with the organization's slug."""

    label: str
    url_name: str
    section: str
    order: int = 100
    # A Lucide icon shown beside the label: ``aims/static/aims/icons/<icon>.svg`` with its rule
    # ``.icon-<icon>`` in app.css (decorative: the label says what the link is).
    icon: str = ""
    # fn(request) -> int: a figure shown beside the label (open alerts, say), in one query;
    # 0 shows nothing. Only computed when a full page shows the sidebar.
    count: Callable[[Any], int] | None = None
    count_label: str = ""  # what the figure counts, for screen readers: "open alerts"
    # fn(request) -> [Notice]: what needs the member's attention now (what falls due for them,
    # say). The header's bell counts them and lists the first few, with this link to see all.
    notices: Callable[[Any], list[Notice]] | None = None

    def __post_init__(self):
        if self.section not in SECTIONS:
            raise ValueError(f"{self.label}: section {self.section!r} is not one of {SECTIONS}")
        if self.icon and not self.icon.replace("-", "").isalnum():
            raise ValueError(f"{self.label}: icon {self.icon!r} is not a Lucide icon name")


@dataclass(frozen=True)
class Notice:
    """One entry of the header's notification list: a record that needs the member now."""

    title: str
    url: str  # the record's page (a path of the app), or ""
    note: str = ""  # "overdue by 3 days"
    urgent: bool = False  # shown in the warning colour (overdue, say)


@dataclass(frozen=True)
class Section:
    """A section an area adds to another area's page: a template and its context. ``column`` is
    "main" (the wide column) or "side"."""

    template: str
    context: Mapping[str, Any]
    column: str = "main"
    order: int = 100


def number_cell(value) -> str:
    """A number in a table cell, right-aligned: a :class:`Column`'s default."""
    return format_html('<td class="num">{}</td>', value)


@dataclass(frozen=True)
class Column:
    """A column an area adds to another area's list: the value of annotation ``attr`` of each
    row, drawn as a table cell by ``cell(value)`` (HTML built with ``format_html``: a list of
    fifty rows draws each column fifty times, a template each time would cost 30 µs) and
    exported under ``header``."""

    header: str
    attr: str
    cell: Callable[[Any], str] = number_cell
    title: str = ""


def page_sections(name: str, *args) -> dict[str, list[Section]]:
    """The sections the areas add to a page (hook ``name``), by column, in order."""
    found = [section for fn in hooks(name) if (section := fn(*args)) is not None]
    found.sort(key=lambda section: section.order)
    return {
        "main": [s for s in found if s.column == "main"],
        "side": [s for s in found if s.column == "side"],
    }


@dataclass(frozen=True)
class RecordLink:
    """A kind of record that a piece of evidence can support (an AI system, a risk, ...).

    ``name`` is the relation on the evidence record: its many-to-many field, or the related
    name of a many-to-many field an area puts on its own model. ``queryset()`` gives every
    such record, ordered; a form offers those of the organization (when the model has one).
    ``filter`` names the evidence list's query parameter that narrows to one record.
    """

    name: str
    label: str
    help_text: str
    queryset: Callable[[], Any]
    describe: Callable[[Any], str] = str
    short: Callable[[Any], str] = str
    filter: str | None = None
    any_label: str = ""  # the filter's "all" choice: "Any AI system"
    by_text: str | None = None  # a field matched when the filter's value is not an id: "slug"
    url: Callable[[Any, Any], str] | None = None  # fn(record, organization); else its own page
    key: str = "pk"  # how the API names one: "slug", "ref", "control__ref"
    what: str = "record"  # one of them, in an error: "Unknown AI system: x."
    in_list: bool = False  # a column of the evidence list, each record by ``short``
    order: int = 100
    # fn(organization): the filter's choices, ``[(pk, describe(record)), ...]`` in order,
    # when reading the records whole to describe them costs more than a page should.
    options: Callable[[Any], list[tuple[Any, str]]] | None = None

    def url_of(self, record, organization) -> str:
        if self.url is not None:
            return self.url(record, organization)
        if hasattr(record, "organization_id"):
            record.organization = organization  # known already: no query per record
        return record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""

    def described(self, organization) -> list[tuple[Any, str]]:
        """``[(pk, describe(record)), ...]`` for the organization's records, in order."""
        if self.options is not None:
            return self.options(organization)
        return [(record.pk, self.describe(record)) for record in self.choices(organization)]

    def choices(self, organization):
        queryset = self.queryset()
        if any(f.name == "organization" for f in queryset.model._meta.concrete_fields):
            queryset = queryset.filter(organization=organization)
        return queryset


@dataclass(frozen=True)
class RecordAction:
    """A button an area adds beside records of another area's list: ``url_name`` is reversed
    with the organization's slug and the record's id (the hook says under which name); a
    ``post`` action acts at once, a ``get`` one opens a page."""

    label: str
    url_name: str
    method: str = "post"
    access: str = "contribute"  # aims.organizations.models.Access needed to see it
    order: int = 100


def record_actions(name: str) -> list[RecordAction]:
    return sorted((fn() for fn in hooks(name)), key=lambda action: action.order)


@dataclass(frozen=True)
class ControlRecords:
    """A kind of record that addresses requirements of the standard: ``model`` has
    ``organization``, ``clauses`` and ``controls`` (many-to-many to the catalog) and
    ``get_absolute_url``; ``current`` is the condition (a ``Q``) under which a record counts for
    the SoA ("approved", "not past its review date", ...)."""

    label: str  # what the records are called in a list: "Documents"
    model: Any
    current: Any  # django.db.models.Q
    order: int = 100

    def current_records(self, organization):
        return self.model.objects.filter(self.current, organization=organization)


@dataclass(frozen=True)
class DueItem:
    """Something that falls due: shown in the reminders list of ``people`` (user ids; empty
    means every member who may act on it: ``access``) and in their daily digest."""

    title: str
    due: Any  # datetime.date
    url: str
    kind: str  # "Document review", "Training expiry", ...
    people: frozenset[int] = frozenset()
    access: str = "manage"  # aims.organizations.models.Access, when ``people`` is empty
    needs_decision: bool = False  # shown on the top-management page

    def overdue(self, today) -> bool:
        return self.due is not None and self.due < today


@dataclass(frozen=True)
class Involvement:
    """A member's act of leadership (clause 5.1), for the top-management page."""

    user_id: int
    when: Any  # datetime.date or datetime
    kind: str  # "Approval", "Risk acceptance", "Meeting attended", "Decision"
    title: str
    url: str = ""


@dataclass(frozen=True)
class Measure:
    """A figure computed from the app's own data, which a KPI can follow: ``compute(
    organization, today)`` gives the value (or None when there is nothing to measure)."""

    key: str
    label: str
    unit: str
    compute: Callable[[Any, Any], float | None]
    direction: str = "up"  # "up": higher is better; "down": lower is better


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the global search finds (hook ``search``).

    ``queryset(organization)`` gives the organization's records of the kind (or the catalog's,
    which every organization shares); a record is found when each word of the query is in one
    of ``fields`` (short, indexed or small columns: a title, a name, a ref), or when the whole
    query is its ``ref`` exactly, which ranks it first. ``list_url_name`` is the kind's list page
    (reversed with the organization's slug) and ``list_param`` its own search parameter, for
    the "more in ..." link.
    """

    key: str  # "risks": the API's name for the kind
    label: str  # "Risks"
    queryset: Callable[[Any], Any]
    fields: tuple[str, ...] = ("title",)
    ref: str = ""  # a field matched exactly ("R-003", "A.6.2.4"), ranked first
    describe: Callable[[Any], str] | None = None  # a hit's text; else its first field
    url: Callable[[Any, Any], str] | None = None  # fn(record, organization); else its own page
    list_url_name: str = ""
    list_param: str = "q"  # "" when the list page has no search of its own
    order: int = 100

    def url_of(self, record, organization) -> str:
        if self.url is not None:
            return self.url(record, organization)
        if hasattr(record, "organization_id"):
            record.organization = organization  # known already: no query per record
        return record.get_absolute_url()

    def text_of(self, record) -> str:
        return self.describe(record) if self.describe else getattr(record, self.fields[0])


def search_kinds() -> list[SearchKind]:
    return sorted((fn() for fn in hooks("search")), key=lambda kind: kind.order)


def control_records() -> list[ControlRecords]:
    return sorted((fn() for fn in hooks("control_records")), key=lambda kind: kind.order)


def due_items(organization, today) -> list[DueItem]:
    """Everything that falls due in the organization, soonest first."""
    items = [item for fn in hooks("due") for item in fn(organization, today)]
    return sorted(items, key=lambda item: (item.due is None, item.due or today, item.title))


def measures() -> dict[str, Measure]:
    return {m.key: m for fn in hooks("measures") for m in fn()}


def template_values(organization) -> dict[str, str]:
    values: dict[str, str] = {}
    for fn in hooks("template_values"):
        values.update(fn(organization))
    return values


def record_links() -> list[RecordLink]:
    """Every kind of record evidence can support, in order."""
    return sorted((fn() for fn in hooks("evidence_links")), key=lambda link: link.order)


@dataclass(frozen=True)
class Area:
    """What one app adds to OpenAIMS; registered from its ``area.py``."""

    label: str  # the app label
    prefix: str = ""  # the URL folder under /o/<org>/, e.g. "risks/"
    urls: str | None = None  # the URLconf module included at the prefix
    nav: tuple[NavLink, ...] = ()
    api_router: str | None = None  # dotted path of a django-ninja Router
    # API path parameter -> fn(organization, value) -> whether it names one of its records
    api_path_records: Mapping[str, Callable[[Any, str], bool]] = field(default_factory=dict)
    set_up_organization: Callable[[Any], None] | None = None  # fn(organization)
    # Pages anyone may open without an account (a public intake form, say): the URLconf module
    # included at /public/<public_prefix>; each view checks itself what it allows.
    public_prefix: str = ""
    public_urls: str | None = None
    # URL name -> what large uploads it takes ("evidence" or "check data"; aims.core.limits)
    uploads: Mapping[str, str] = field(default_factory=dict)
    order: int = 100  # among areas: URL inclusion, organization set-up


_areas: dict[str, Area] = {}
_hooks: dict[str, list[tuple[int, Callable]]] = {}


def naming_it(count: int, singular: str, plural: str) -> list[str]:
    """A reason for hook ``system_deletion``: ``["2 incidents name it"]``, or none for 0."""
    if not count:
        return []
    return [f"{count} {singular if count == 1 else plural} name{'s' if count == 1 else ''} it"]


def names_record(queryset, value) -> bool:
    """Whether ``value`` (an API path parameter, for ``Area.api_path_records``) is the id of a
    record of ``queryset``. An id is ASCII digits that fit the column ("²" is a digit to Python
    but no number, and 30 digits overflow it): anything else names no record."""
    return is_id(value) and queryset.filter(pk=int(str(value))).exists()


def is_id(value) -> bool:
    """Whether ``value`` can be a record's id: ASCII digits that fit the column ("²" is a digit
    to Python but no number, and 30 digits overflow a 64-bit column)."""
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= 18


def register(area: Area) -> Area:
    if area.label in _areas and _areas[area.label] != area:
        raise ValueError(f"area {area.label!r} is registered twice")
    for other in _areas.values():
        shared = set(area.api_path_records) & set(other.api_path_records)
        if other.label != area.label and shared:
            # One name, one meaning: the API looks a path parameter up by its name alone.
            raise ValueError(
                f"area {area.label!r} names API path parameters {sorted(shared)} that area "
                f"{other.label!r} already names; give them names of their own"
            )
    _areas[area.label] = area
    return area


def areas() -> list[Area]:
    """The registered areas, in their order."""
    return sorted(_areas.values(), key=lambda area: (area.order, area.label))


def hook(name: str, *, order: int = 100):
    """Decorator: add ``fn`` to the hook ``name`` (one of :data:`HOOKS`)."""
    if name not in HOOKS:
        raise ValueError(f"unknown hook {name!r}; use one of: {', '.join(HOOKS)}")

    def add(fn: Callable) -> Callable:
        found = _hooks.setdefault(name, [])
        if all(existing is not fn for _, existing in found):
            found.append((order, fn))
            found.sort(key=lambda pair: pair[0])
        return fn

    return add


def hooks(name: str) -> list[Callable]:
    if name not in HOOKS:
        raise ValueError(f"unknown hook {name!r}")
    return [fn for _, fn in _hooks.get(name, [])]


def navigation() -> list[tuple[str, list[NavLink]]]:
    """The sidebar: each section with its links, in order; empty sections left out."""
    links = [link for area in areas() for link in area.nav]
    return [
        (section, sorted((lnk for lnk in links if lnk.section == section), key=lambda x: x.order))
        for section in SECTIONS
        if any(link.section == section for link in links)
    ]


def upload_kind(url_name: str) -> str | None:
    """What large uploads the route named ``url_name`` takes, if any."""
    for area in _areas.values():
        if url_name in area.uploads:
            return area.uploads[url_name]
    return None


def set_up_organization(organization) -> None:
    """Give a new organization what every area starts it with (inside its creation's
    transaction)."""
    for area in areas():
        if area.set_up_organization is not None:
            area.set_up_organization(organization)


def autodiscover() -> None:
    autodiscover_modules("area")
