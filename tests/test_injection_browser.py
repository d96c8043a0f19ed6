"""The stored-injection takeover, replayed in headless Chromium: no request fires.

The attack (issue 7, finding 1): a Contributor uploads check data under a file name that is
markup, an element with ``hx-post`` to the member-add page and ``hx-trigger=load`` carrying the
fields that would make the attacker an Owner (slashes written as character references so they
survive the server's file-name clean-up). When the Owner opens the check's pages, htmx would have posted the
form with the Owner's CSRF header. Now the name is text, in an ``hx-disable`` region: the Owner's
browser sends nothing but the page's own requests, and nobody's role changes.
"""

from __future__ import annotations

import re

import pytest
from conftest import BROWSER, PASSWORD
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.catalog.loader import load_catalog
from aims.checks.models import Check
from aims.checks.samples import BIASED
from aims.organizations.models import Membership, Role
from tests.test_checks_pages import form_data, url

pytestmark = BROWSER


def takeover_name(slug: str) -> str:
    # Django's upload parser unescapes the name once, then keeps what follows the last slash:
    # ``&amp;#47;`` arrives as ``&#47;``, which a browser reading the name as markup makes "/".
    target = "&amp;#47;".join(["", "o", slug, "settings", "members", "add", ""])
    fields = (
        "<input name=new_username value=carla.contributor>"
        "<input name=email value=carla.contributor@example.test>"
        "<input name=role value=owner>"
    )
    return f"<b hx-post={target} hx-trigger=load hx-include=this>{fields}x.parquet"


@pytest.mark.django_db(transaction=True)
def test_a_file_name_with_htmx_markup_sends_nothing_from_the_owners_browser(
    page, world, credit_system
):
    load_catalog()
    org = world.org
    # The Contributor defines a check on a data file named with the takeover markup.
    name = takeover_name(org.slug)
    response = world.client(world.contributor).post(
        url(world, "check_create"),
        form_data(
            credit_system,
            name="Innocent parity check",
            data_file=SimpleUploadedFile(name, BIASED.read_bytes()),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    check = Check.objects.get(name="Innocent parity check")
    assert "hx-post=" in check.data_name and "hx-trigger=load" in check.data_name
    roles_before = dict(Membership.objects.values_list("user__username", "role"))

    # The Owner logs in and opens every page that shows the file name.
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.method} {request.url}"))
    page.goto("/login/")
    page.fill("#id_username", world.owner.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{org.slug}/$"))
    base = f"/o/{org.slug}"
    pages = [
        f"{base}/checks/{check.pk}/edit/",
        f"{base}/checks/{check.pk}/",
        f"{base}/checks/",
        f"{base}/systems/{credit_system.pk}/",
        f"{base}/audit/",
        f"{base}/",
    ]
    for path in pages:
        sent.clear()
        page.goto(path)
        page.wait_for_load_state("networkidle")
        posts = [r for r in sent if not r.startswith("GET ")]
        assert not posts, (path, posts)
        assert not [r for r in sent if "members" in r], (path, sent)
        # The markup is shown as the text it is, not as an element.
        assert page.locator("b[hx-post]").count() == 0, path
    page.goto(f"{base}/checks/{check.pk}/edit/")
    assert "hx-post=" in page.locator("main").inner_text()  # visible, as text

    # Nobody's role changed; the attacker is still a Contributor.
    assert dict(Membership.objects.values_list("user__username", "role")) == roles_before
    assert Membership.objects.get(user=world.contributor, organization=org).role == (
        Role.CONTRIBUTOR
    )
