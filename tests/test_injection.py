"""No user text is ever markup: every page, with markup and htmx attributes in every text field.

Every text field of every record of the organization (names, titles, descriptions,
justifications, file names, the organization's own name and scope, people's names) is
overwritten with a payload that would act if it were rendered as markup: an element with
``hx-post`` and ``hx-trigger=load`` (which htmx would send, with the CSRF header, as the viewer),
a script and an image with ``onerror``. Then every organization page and every htmx fragment is
rendered as the Owner, who can see everything. No payload may come out live, and every place
that shows one must sit inside an ``hx-disable`` region, so even a future escaping mistake could
not become a request.

Fields are found from the models, so a new text field is covered without editing this file.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models

from aims.inventory.services import save_system
from aims.organizations.models import Organization
from aims.risk.services import save_risk
from tests import test_security_routes as routes
from tests.test_security_routes import fill, org_routes

TARGET = "/pwned/"
PAYLOAD = (
    f'<b hx-post="{TARGET}" hx-trigger="load">pwned</b>'
    '<script>alert("pwned")</script><img src=x onerror=alert("pwned")>'
)
SHORT = f"<b hx-get={TARGET}>x</b>"
records = routes.records  # one record of each kind, to fill URL parameters (a fixture)
# Machine values the app writes itself (hashes, storage names, keys, queue names): not user text.
NOT_USER_TEXT = ("hash", "sha", "digest", "storage", "blob", "key", "slug", "token", "prefix")
NOT_USER_TEXT_FIELDS = {"content_type", "ref", "worker_id", "queue_name", "backend_name"}
SKIPPED_APPS = {"catalog", "audit"}  # the shipped catalog; the trail records, it is not edited
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


def user_text_fields(model) -> list[models.Field]:
    out = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if field.primary_key or isinstance(field, models.SlugField | models.EmailField):
            continue
        if field.name in NOT_USER_TEXT_FIELDS or any(w in field.name for w in NOT_USER_TEXT):
            continue
        if field.max_length is not None and field.max_length < len(SHORT):
            continue
        out.append(field)
    return out


def poison_everything(org: Organization) -> list[str]:
    """Put the payload in every user text field of every row of the org; name what was hit."""
    hit = []
    for model in apps.get_models():
        label = model._meta.app_label
        if not model.__module__.startswith("aims.") or label in SKIPPED_APPS:
            continue
        fields = user_text_fields(model)
        if not fields:
            continue
        if model is Organization:
            rows = model.objects.filter(pk=org.pk)
        else:
            rows = _rows_reaching(model, org)
            if rows is None:
                continue
        values = {
            f.name: PAYLOAD if f.max_length is None or f.max_length >= len(PAYLOAD) else SHORT
            for f in fields
        }
        if rows.update(**values):
            hit += [f"{model._meta.label}.{name}" for name in values]
    return hit


def _rows_reaching(model, org):
    """Rows of a model that belong to the org through foreign keys (revisions, their files)."""
    path = _path_to_organization(model, depth=3)
    return None if path is None else model.objects.filter(**{path: org})


def _path_to_organization(model, depth: int) -> str | None:
    if any(f.name == "organization" for f in model._meta.fields):
        return "organization"
    if depth == 0:
        return None
    for field in model._meta.fields:
        target = getattr(field, "related_model", None)
        if field.many_to_one and target is not None and target is not model:
            rest = _path_to_organization(target, depth - 1)
            if rest is not None:
                return f"{field.name}__{rest}"
    return None


class LiveMarkup(HTMLParser):
    """Finds payloads that came out as real elements, and payload text outside hx-disable."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.live: list[str] = []
        self.unguarded: list[str] = []
        self.shown = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if any(n.startswith("hx-") and TARGET in (v or "") for n, v in attrs):
            self.live.append(self.get_starttag_text())
        if tag == "img" and "onerror" in attributes:
            self.live.append(self.get_starttag_text())
        disabled = "hx-disable" in attributes or (bool(self.stack) and self.stack[-1][1])
        if tag not in VOID:
            self.stack.append((tag, disabled))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        tag = self.stack[-1][0] if self.stack else ""
        if tag == "script" and "pwned" in data:
            self.live.append(data[:80])
            return
        if TARGET not in data:
            return
        self.shown += 1
        if tag != "title" and not (self.stack and self.stack[-1][1]):
            where = " > ".join(t for t, _ in self.stack[-4:])
            self.unguarded.append(f"{where}: {data.strip()[:60]}")


def scan(content: bytes) -> LiveMarkup:
    parser = LiveMarkup()
    parser.feed(content if isinstance(content, str) else content.decode())
    parser.close()
    return parser


@pytest.fixture
def poisoned(world, records):
    objects = records["objects"]
    hit = poison_everything(world.org)
    # The change trail shows what changed: record edits whose before/after carry the payload.
    for name in ("system", "risk"):
        objects[name].refresh_from_db()
    save_system(objects["system"], actor=world.owner)
    save_risk(objects["risk"], actor=world.owner, systems=[objects["system"]])
    world.contributor.first_name = world.contributor.last_name = SHORT
    world.contributor.save()
    return records, hit


def test_every_kind_of_user_text_is_poisoned(poisoned):
    _, hit = poisoned
    for field in (
        "organizations.Organization.name",
        "organizations.Organization.scope",
        "inventory.AISystem.name",
        "inventory.AISystem.purpose",
        "risk.Risk.title",
        "soa.SoAEntry.justification",
        "evidence.Evidence.title",
        "evidence.EvidenceFile.original_name",
        "checks.Check.name",
        "checks.Check.data_name",
        "organizations.ApiToken.name",
    ):
        assert field in hit, f"{field} was not poisoned; fields hit: {hit}"


def _routes(values):
    """Every organization page, and the pages outside one that take no parameter (the list of
    organizations, account security), which show the organization's and the user's names."""
    yield from (fill(route, values) for route, _ in org_routes())
    for route, pattern in routes.site_routes():
        if "<" not in route and not route.startswith("o/") and pattern.name != "logout":
            yield "/" + route


def _pages(client, values, **headers):
    for url in _routes(values):
        response = client.get(url, **headers)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            yield url, response
        response.close()  # downloads stream their file


def test_no_page_renders_user_text_as_markup(world, poisoned):
    values, _ = poisoned
    client = world.client(world.owner)
    shown_on, problems = [], []
    for url, response in _pages(client, values):
        found = scan(response.content)
        problems += [f"{url}: live {m}" for m in found.live]
        problems += [f"{url}: outside hx-disable: {m}" for m in found.unguarded]
        if found.shown:
            shown_on.append(url)
    assert not problems, "\n".join(problems)
    # The payload really was on the pages (escaped), so the test looked at user text.
    slug = values["org"]
    for page in (
        f"/o/{slug}/systems/{values['system_id']}/",
        f"/o/{slug}/risks/{values['risk_id']}/",
        f"/o/{slug}/evidence/{values['evidence_id']}/",
        f"/o/{slug}/checks/{values['check_id']}/",
    ):
        assert page in shown_on, f"{page} did not show the payload; pages that did: {shown_on}"
    assert len(shown_on) >= 20, shown_on


def test_no_htmx_fragment_renders_user_text_as_markup(world, poisoned):
    values, _ = poisoned
    client = world.client(world.owner)
    problems = []
    for url, response in _pages(client, values, HTTP_HX_REQUEST="true"):
        problems += [f"{url}: live {m}" for m in scan(response.content).live]
    assert not problems, "\n".join(problems)


def test_the_scanner_sees_live_and_unguarded_payloads():
    # The test above is only as good as its scanner: it must catch what it looks for.
    found = scan(f"<main><p>{PAYLOAD}</p><div hx-disable><p>&lt;b hx-get={TARGET}&gt;</p></div>")
    assert len(found.live) == 3  # the hx element, the script, the onerror image
    escaped = scan(f"<main><p>&lt;b hx-get={TARGET}&gt;</p></main>")
    assert not escaped.live and len(escaped.unguarded) == 1
    guarded = scan(f"<main hx-disable><ul><li>&lt;b hx-get={TARGET}&gt;<br></li></ul></main>")
    assert not guarded.live and not guarded.unguarded and guarded.shown == 1
