"""Pages of a person's reminders: what falls due for them, and their digest setting."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.pages import csv_download
from aims.core.pagination import PAGE_SIZE, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import rules, services
from .forms import PreferenceForm, ReminderFilterForm


def my_items(request):
    """The signed-in member's due items here, narrowed by the query string, with the form."""
    today = timezone.localdate()
    items = rules.items_for(request.membership, today)
    kinds = {item.kind for item in items}
    form = ReminderFilterForm(request.GET, kinds=kinds)
    return today, items, rules.filtered(items, **form.filters()), form


@org_view(Access.READ)
def reminder_list(request):
    today, items, shown, form = my_items(request)
    arranged = rules.arrange(shown, today, kinds={item.kind for item in items})
    page, groups = rules.page_of(arranged, request.GET.get("page"), PAGE_SIZE)
    context = {
        "today": today,
        "arranged": arranged,
        "groups": groups,
        "page_obj": page,
        "filters": form,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "has_any": bool(items),
        "querystring": query_without_page(request),
        "list_url": reverse("reminder_list", kwargs={"org": request.org.slug}),
        "preference": services.preference_of(request.user),
    }
    return render(request, "reminders/reminder_list.html", context)


@org_view(Access.READ)
def reminder_export_csv(request):
    today, _, shown, _ = my_items(request)
    response, writer = csv_download("reminders", request.org)
    writer.writerow(["Due", "When", "Kind", "What", "Link"])
    for item in shown:
        reminder = rules.reminder(item, today)
        link = reminder.link
        writer.writerow(
            [
                item.due,
                reminder.when,
                item.kind,
                item.title,
                request.build_absolute_uri(link) if link.startswith("/") else link,
            ]
        )
    return response


@org_view(Access.READ)  # the person's own setting: every member may change their own
@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    preference = services.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference = services.set_digest(request.user, digest=form.cleaned_data["digest"])
            messages.success(
                request,
                "The daily digest is on." if preference.digest else "The daily digest is off.",
            )
            return redirect("reminder_settings", org=request.org.slug)
    else:
        form = PreferenceForm(initial={"digest": preference.digest})
    context = {
        "form": form,
        "preference": preference,
        "hour": services.digest_hour(),
        "days": rules.DIGEST_DAYS,
    }
    return render(request, "reminders/reminder_settings.html", context)
