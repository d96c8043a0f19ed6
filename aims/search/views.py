"""The global search page and the search box's dropdown (a fragment for htmx)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render

from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import engine


class SearchForm(forms.Form):
    # Bounded by clean_q (a field max_length would cut the message short of the count).
    q = forms.CharField(required=False, strip=False, label="Search")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].validators = []  # clean_q refuses NUL, in the search's own words

    def clean_q(self) -> str:
        return engine.clean_query(self.cleaned_data.get("q"))


def searched(request, *, per_kind: int) -> dict:
    """The form and, when its query is valid, the groups of hits."""
    form = SearchForm(request.GET)
    groups: list[engine.Group] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        groups = engine.search(request.org, query, per_kind=per_kind)
    else:
        # Never echo a NUL back; shorten what is shown of an over-long query.
        query = request.GET.get("q", "").replace("\x00", "")[: engine.MAX_LENGTH]
    error = form.errors.get("q")
    return {"form": form, "query": query, "groups": groups, "error": error[0] if error else ""}


@org_view(Access.READ)
def search_page(request):
    context = searched(request, per_kind=engine.PER_KIND)
    context["per_kind"] = engine.PER_KIND
    return render(request, "search/search.html", context)


@org_view(Access.READ)
def search_box(request):
    """The top hits as one types in the box (the dropdown's content)."""
    context = searched(request, per_kind=engine.PER_KIND_BOX)
    return render(request, "search/_results.html", context)
