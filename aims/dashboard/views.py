from django.shortcuts import render

from aims.organizations.access import org_view
from aims.trail.cache import cached_for

from .summary import summarize

# Sections an htmx request may ask for on their own (``?section=<name>``).
PARTIALS = {
    "activity": "dashboard/_activity.html",
    "attention": "dashboard/_attention.html",
    "checklist": "dashboard/_checklist.html",
}


@org_view()
def dashboard(request):
    summary = cached_for(request.org, "dashboard", lambda: summarize(request.org))
    context = {"summary": summary}
    section = request.GET.get("section")
    if request.headers.get("HX-Request") and section in PARTIALS:
        return render(request, PARTIALS[section], context)
    return render(request, "dashboard/dashboard.html", context)
