"""Lists work out some of their markup once a page for speed (a record's URL reversed once):
it must be what Django gives, and the system filters must still filter."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from aims.core.forms import QuickSelect
from aims.core.pages import record_urls
from aims.inventory.models import AISystem
from aims.inventory.services import save_system

CHOICES = [
    ("", "Any AI system"),
    (1, "Credit & fraud <scoring>"),
    (2, "Quotes \"double\" and 'single'"),
    (3, "Plain"),
    (None, "No value"),
    (3, "Same value again"),
    (4, format_html("<em>{}</em> label", "Safe")),  # a label already safe stays as it is
]


@pytest.mark.parametrize("value", [None, "", "1", 2, "3", "999", ["2"], "<x>"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_system", "required": True, "disabled": False, "data-note": 'a"b<c'}],
)
def test_the_quick_select_writes_what_djangos_select_writes(value, attrs):
    expected = forms.Select(choices=CHOICES).render("system", value, attrs)
    assert QuickSelect(choices=CHOICES).render("system", value, attrs) == expected


def test_user_text_in_a_quick_select_is_escaped_never_markup():
    html = QuickSelect(choices=[("1", '<script>alert(1)</script>" hx-get="/x')]).render("s", "1")
    assert "<script>" not in html and 'hx-get="' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; hx-get=&quot;/x" in html


def test_groups_and_multiple_selects_are_left_to_django():
    grouped = [("", "Any"), ("Live", [(1, "A"), (2, "B")]), ("Retired", [(3, "C")])]
    assert QuickSelect(choices=grouped).render("s", "2") == forms.Select(choices=grouped).render(
        "s", "2"
    )
    multiple = QuickSelect(choices=[(1, "A"), (2, "B")])
    multiple.allow_multiple_selected = True
    assert 'value="1" selected' in multiple.render("s", ["1", "2"])
    assert 'value="2" selected' in multiple.render("s", ["1", "2"])


def test_a_filter_form_draws_its_choices_as_django_would(world):
    """The AI system list's filters, through a bound form: ids, labels and the chosen value."""
    from aims.inventory.forms import SystemFilterForm

    form = SystemFilterForm({"stage": "operation"}, organization=world.org)
    assert isinstance(form.fields["stage"].widget, QuickSelect)
    drawn = str(form["stage"])
    plain = forms.Select(choices=form.fields["stage"].choices)
    assert drawn == plain.render("stage", "operation", {"id": "id_stage"})
    assert '<option value="operation" selected>' in drawn


@pytest.mark.parametrize("page", ["techdoc_list", "change_list"])
def test_a_list_filters_by_the_systems_short_id(world, page):
    """Technical documentation and planned changes filter by system as the other lists do: by
    short id, from a drop-down for a few systems (a text box for many), the chosen one kept."""
    chosen = save_system(
        AISystem(organization=world.org, name="Chat & <assist>", purpose="p"), actor=world.owner
    )
    save_system(AISystem(organization=world.org, name="Another", purpose="p"), actor=world.owner)
    client = world.client(world.viewer)
    url = reverse(page, kwargs={"org": world.org.slug})
    body = client.get(url, {"system": chosen.slug}).content.decode()
    assert f'<option value="{chosen.slug}" selected>Chat &amp; &lt;assist&gt;</option>' in body
    assert '<option value="another">Another</option>' in body
    assert "<assist>" not in body


@pytest.mark.parametrize(
    "url_name,param,keys",
    [
        ("risk_detail", "risk_id", [1, 42, 1234567]),
        ("catalog_control", "ref", ["A.6.2.4", "ORG-07", "a b&c", "1"]),
    ],
)
def test_record_urls_are_what_reverse_gives(world, url_name, param, keys):
    url = record_urls(url_name, world.org, param)
    for key in keys:
        assert url(key) == reverse(url_name, kwargs={"org": world.org.slug, param: key})


def test_the_choices_a_link_reads_as_values_are_its_records_described(world):
    """A record link's ``options`` (the evidence filter's choices, read as values) give what
    describing its records one by one gives, in the same order, additional controls too."""
    from aims.core.areas import record_links
    from aims.soa.models import AdditionalControl, ControlSource, SoAEntry

    control = AdditionalControl.objects.create(
        organization=world.org, ref="ORG-01", title="Our own <control>", source=ControlSource.OWN
    )
    SoAEntry.objects.create(organization=world.org, additional_control=control)
    quick = [link for link in record_links() if link.options is not None]
    assert quick, "no record link reads its choices as values"
    for link in quick:
        slow = [(r.pk, link.describe(r)) for r in link.choices(world.org)]
        assert link.described(world.org) == slow
        assert len(slow) >= 39 and slow[-1][1] == "ORG-01 Our own <control>"
