"""Forms say everything at once (issue 12): one error summary per page that links every error of
every bound form and formset, a friendly 413 for every body too large, and every field error of
an API request in one 422. The browser side (focus, links, counters) is
tests/test_form_errors_browser.py.
"""

import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from helpers import ApiClient

from aims.evidence.models import Evidence
from aims.inventory.models import AISystem
from aims.risk.models import Risk

KIB = 1024


class PersonForm(forms.Form):
    name = forms.CharField(max_length=20)
    email = forms.EmailField(label="E-mail")
    agree = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("name") == "both":
            raise forms.ValidationError("Name and e-mail do not match.")
        return data


class LineForm(forms.Form):
    title = forms.CharField()
    amount = forms.IntegerField()


LineFormSet = forms.formset_factory(LineForm, extra=0, min_num=1, validate_min=True)

PAGE = Template("{% load forms_extra %}<main>{% error_summary %}</main>")


def summary(**context) -> str:
    return PAGE.render(Context(context))


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="#([^"]+)" data-field="[^"]+">([^<]+)</a>', html)


def test_two_forms_with_errors_give_one_summary_listing_every_error():
    first = PersonForm(data={"name": "x" * 30, "email": "nope"})
    second = PersonForm(
        data={"b-name": "Ann", "b-email": "ann@", "b-agree": "y", "b-token": "t"}, prefix="b"
    )
    html = summary(form=first, other_form=second)
    assert html.count('class="error-summary"') == 1
    assert 'role="alert"' in html and 'tabindex="-1"' in html
    assert "There are 5 problems to fix" in html
    assert links(html) == [
        ("id_name", "Name: Ensure this value has at most 20 characters (it has 30)."),
        ("id_email", "E-mail: Enter a valid email address."),
        ("id_agree_0", "Agree: This field is required."),  # the first radio button
        ("id_b-email", "E-mail: Enter a valid email address."),
    ]
    # A hidden field's error cannot be reached: it is listed, without a link.
    assert "<li>Token: This field is required.</li>" in html


def test_a_form_wide_error_is_listed_with_the_field_errors():
    form = PersonForm(data={"name": "both", "email": "bad", "agree": "y", "token": "t"})
    html = summary(form=form)
    assert "<li>Name and e-mail do not match.</li>" in html
    assert links(html) == [("id_email", "E-mail: Enter a valid email address.")]


def test_a_formset_lists_each_rows_errors_and_its_own():
    formset = LineFormSet(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-title": "Ok",
            "form-0-amount": "three",
            "form-1-title": "",
            "form-1-amount": "4",
        }
    )
    # Its forms are also in the context (a template loops over them): listed once.
    html = summary(formset=formset, rows=list(formset.forms))
    assert links(html) == [
        ("id_form-0-amount", "Row 1, Amount: Enter a whole number."),
        ("id_form-1-title", "Row 2, Title: This field is required."),
    ]
    assert "There are 2 problems to fix" in html


def test_a_formsets_own_error_is_listed():
    formset = LineFormSet(
        data={"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1"}
    )
    html = summary(formset=formset)
    assert "Please submit at least 1 form." in html


def test_nothing_is_rendered_without_errors():
    valid = PersonForm(data={"name": "Ann", "email": "a@example.test", "agree": "y", "token": "t"})
    unbound = PersonForm()
    assert valid.is_valid()
    assert summary(form=valid, blank=unbound).strip() == "<main></main>"
    assert summary().strip() == "<main></main>"


def test_user_text_in_an_error_is_escaped():
    class Picky(forms.Form):
        name = forms.CharField()

        def clean_name(self):
            raise forms.ValidationError(f"“{self.cleaned_data['name']}” is not allowed.")

    form = Picky(data={"name": '<img src=x onerror="alert(1)">'})
    html = summary(form=form)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert len(links(html)) == 1


def test_the_summary_renders_once_per_page():
    form = PersonForm(data={})
    page = Template(
        "{% load forms_extra %}{% error_summary %}"
        "{% include 'core/form_fields.html' with form=form %}"
        "{% include 'core/form_fields.html' with form=form %}"
        "{% form_assets %}"
    ).render(Context({"form": form}))
    assert page.count('class="error-summary"') == 1
    assert page.count("aims/forms.js") == 1 and page.count("aims/forms.css") == 1


def test_form_fields_marks_each_field_and_points_at_its_message():
    html = Template("{% include 'core/form_fields.html' %}").render(
        Context({"form": PersonForm(data={"name": "x" * 30, "token": "t"})})
    )
    name_input = re.search(r'<input type="text" name="name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in name_input
    assert 'aria-describedby="id_name_error"' in name_input
    assert html.count('id="id_name_error"') == 1  # one container, however many messages
    assert 'maxlength="20"' in name_input  # what the counters of forms.js read


# --- The pages: every form page gets the summary ----------------------------------------------


@pytest.mark.django_db
def test_the_system_form_lists_three_errors_at_once(world):
    """The system form renders its fields by hand; the summary comes from the form itself
    (here through the tag, as base.html renders it above the content)."""
    from aims.inventory.forms import SystemForm

    data = {"name": "", "slug": "not a slug!", "purpose": "", "risk_tier": "galactic"}
    form = SystemForm(data=data, organization=world.org)
    html = summary(form=form)
    targets = [target for target, _ in links(html)]
    assert {"id_name", "id_slug", "id_purpose", "id_risk_tier"} <= set(targets), html


def test_a_taken_short_id_is_said_with_the_other_errors(world, credit_system):
    from aims.inventory.forms import SystemForm

    data = {"name": "", "slug": credit_system.slug, "purpose": "", "risk_tier": "limited"}
    form = SystemForm(data=data, organization=world.org)
    assert not form.is_valid()
    assert {"name", "slug", "purpose"} <= set(form.errors)
    assert form.errors["slug"] == [f"Another AI system already uses the id “{credit_system.slug}”."]
    # Its own record keeps its id; another organization's system may use the same one.
    own = SystemForm(
        data={**data, "name": "x", "purpose": "y"}, instance=credit_system, organization=world.org
    )
    own.is_valid()
    assert "slug" not in own.errors


# --- Too large: the 413 page and the API's 413 ------------------------------------------------


@pytest.fixture
def small_text_limit(settings):
    """Django reads at most 64 KiB of form text; routes with uploads allow much more in all."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * KIB


def test_a_large_text_on_an_upload_page_gets_the_413_page_not_a_bare_400(world, small_text_limit):
    client = world.client(world.contributor)
    url = reverse("evidence_create", kwargs={"org": world.org.slug})
    response = client.post(
        url,
        {
            "title": "Report",
            "description": "x" * (200 * KIB),
            "kind": "file",
            "effective_from": "2025-01-10",
            "files": [SimpleUploadedFile("a.csv", b"a,b\n", content_type="text/csv")],
        },
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "This was too large to accept" in text and "Bad Request" not in text
    assert "64 KiB" in text and "Nothing was saved" in text
    assert "Content-Security-Policy" in response.headers
    assert not Evidence.objects.exists()


def test_a_large_post_to_an_ordinary_form_gets_the_413_page(world, settings):
    settings.AIMS_MAX_BODY_MB = 0.0625  # 64 KiB
    client = world.client(world.owner)
    url = reverse("system_create", kwargs={"org": world.org.slug})
    response = client.post(url, {"name": "Big", "purpose": "p", "intended_use": "x" * 100_000})
    assert response.status_code == 413
    text = response.content.decode()
    assert "This was too large to accept" in text and "64 KiB" in text
    assert not AISystem.objects.filter(name="Big").exists()


def test_a_large_text_on_an_api_upload_answers_413_json(world, small_text_limit):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post_form(
        "/api/v1/evidence",
        {
            "title": "Report",
            "description": "x" * (200 * KIB),
            "effective_from": "2025-03-01",
            "files": [SimpleUploadedFile("p.csv", b"a,b\n", content_type="text/csv")],
        },
    )
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"].startswith("The request is too large.") and "64 KiB" in body["detail"]
    assert body["errors"][0]["field"] is None
    assert not Evidence.objects.exists()


# --- The API: every field error in one 422 ----------------------------------------------------


def test_a_risk_with_three_problems_gets_all_three_in_one_422(world, credit_system):
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(
        "/api/v1/risks",
        {
            "title": "",
            "category": "fairness",
            "owner": "nobody-here",
            "systems": [credit_system.slug, "no-such-system"],
            "inherent_likelihood": 9,
            "inherent_impact": 2,
        },
    )
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"title", "owner", "systems", "inherent_likelihood"} <= fields, response.json()
    assert not Risk.objects.exists()


def test_a_system_with_three_problems_gets_all_three_in_one_422(world, credit_system):
    """The lookups and the model's rules are checked together (a short id already taken is
    still checked by the service afterwards, alone)."""
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(
        "/api/v1/systems",
        {"name": "", "slug": "Not a slug!", "purpose": "p", "owner": "nobody-here"},
    )
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "owner", "slug"} <= fields, response.json()
    assert AISystem.objects.count() == 1


def test_the_summary_leaves_the_lazy_values_of_the_context_alone():
    from django.utils.functional import SimpleLazyObject

    evaluated = []

    def token():
        evaluated.append(True)
        return "secret"

    form = PersonForm(data={})
    html = summary(form=form, csrf_token=SimpleLazyObject(token))
    assert "Name: This field is required." in html and evaluated == []
