"""Pages of AIMS roles, the RACI matrix and the top-management page (5.1, 5.3, A.3.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.cache import cached_for
from aims.trail.models import AuditEvent

from . import services
from .forms import ActivityForm, PersonCellForm, RoleFilterForm, RoleForm, RowForm
from .involvement import YEAR, needs_decision, top_management_involvement
from .models import Activity, AIMSRole, Assignment, CommitteeAction

# The leadership pages' tabs, above a page of the shared templates (core/confirm_delete.html).
TABS = {"tabs": "leadership/_tabs.html"}


# --- Roles ------------------------------------------------------------------------------------


def get_role(request, aims_role_id: int) -> AIMSRole:
    role = get_object_or_404(AIMSRole.objects.for_org(request.org), pk=aims_role_id)
    role.organization = request.org
    return role


def filtered_roles(request):
    form = RoleFilterForm(request.GET)
    roles = (
        AIMSRole.objects.for_org(request.org)
        .filtered(**form.filters())
        .prefetch_related("holders", "clauses", "controls")
        .distinct()
    )
    return roles, form


@org_view()
def role_list(request):
    roles, filters = filtered_roles(request)
    page = paginate(request, roles)
    for role in page.object_list:
        role.organization = request.org
    flagged = Activity.objects.for_org(request.org).flagged().count()
    context = {
        "page_obj": page,
        "roles": page.object_list,
        "filters": filters,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "flagged": flagged,
        "tab": "roles",
    }
    return render(request, "leadership/role_list.html", context)


@org_view()
def role_export_csv(request):
    roles, _ = filtered_roles(request)
    response, writer = csv_download("aims-roles", request.org)
    writer.writerow(
        ["Role", "Description", "Responsibilities", "Authorities", "Held by", "Addresses"]
    )
    for role in roles:
        writer.writerow(
            [
                role.name,
                role.description,
                role.responsibilities,
                role.authorities,
                "; ".join(person_label(u) for u in role.holders.all()),
                "; ".join(role.requirement_refs()),
            ]
        )
    return response


def role_form_page(request, role: AIMSRole):
    form = RoleForm(
        request.POST if request.method == "POST" else None,
        instance=role,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_role(
            changed,
            actor=request.user,
            holders=form.cleaned_data["holders"],
            clauses=form.cleaned_data["clauses"],
            controls=form.cleaned_data["controls"],
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="leadership/role_form.html",
        saved=lambda changed: f"Role “{changed.name}” saved.",
        context={"role": role},
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def role_create(request):
    return role_form_page(request, AIMSRole(organization=request.org))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def role_edit(request, aims_role_id: int):
    return role_form_page(request, get_role(request, aims_role_id))


@org_view()
def role_detail(request, aims_role_id: int):
    role = get_role(request, aims_role_id)
    cells = list(
        Assignment.objects.filter(role=role)
        .select_related("activity")
        .order_by("activity__position", "activity__pk")
    )
    context = {
        "role": role,
        "holders": role.holders.all(),
        "clauses": role.clauses.all(),
        "controls": role.controls.all(),
        "cells": cells,
        "events": AuditEvent.objects.for_record(role)[:20],
        "tab": "roles",
    }
    return render(request, "leadership/role_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def role_delete(request, aims_role_id: int):
    role = get_role(request, aims_role_id)
    return confirm_delete(
        request,
        role,
        delete=services.delete_role,
        what="role",
        back=role.get_absolute_url(),
        done=reverse("leadership_role_list", kwargs={"org": request.org.slug}),
        consequence=f"Its {role.assignments.count()} cell(s) of the RACI matrix are removed "
        "with it.",
        context=TABS | {"tab": "roles"},
    )


# --- The RACI matrix --------------------------------------------------------------------------


def raci_columns(organization):
    """The matrix's columns: every AIMS role, then every person given a letter directly."""
    roles = list(AIMSRole.objects.for_org(organization))
    people = []
    seen = set()
    for cell in (
        Assignment.objects.filter(activity__organization=organization, person__isnull=False)
        .select_related("person")
        .order_by("person__first_name", "person__last_name", "person__username")
    ):
        if cell.person_id not in seen:
            seen.add(cell.person_id)
            people.append(cell.person)
    return roles, people


def raci_cells(organization) -> dict[int, dict]:
    """Activity id -> {("role", id) or ("person", id): letter}."""
    cells: dict[int, dict] = {}
    for activity_id, role_id, person_id, letter in Assignment.objects.filter(
        activity__organization=organization
    ).values_list("activity_id", "role_id", "person_id", "letter"):
        key = ("role", role_id) if role_id else ("person", person_id)
        cells.setdefault(activity_id, {})[key] = letter
    return cells


def raci_rows(organization, roles, people, data=None, bound_pk=None):
    cells = raci_cells(organization)
    rows = []
    for activity in Activity.objects.for_org(organization).with_accountable():
        activity.organization = organization
        form = RowForm(
            data if activity.pk == bound_pk else None,
            prefix=f"a{activity.pk}",
            activity=activity,
            roles=roles,
            people=people,
            cells=cells.get(activity.pk, {}),
        )
        rows.append(form)
    return rows


def raci_page(request, *, data=None, bound_pk=None, person_form=None, status=200):
    roles, people = raci_columns(request.org)
    rows = raci_rows(request.org, roles, people, data, bound_pk)
    context = {
        "roles": roles,
        "people": people,
        "rows": rows,
        "flagged": sum(1 for row in rows if row.activity.flag()),
        "person_form": person_form or PersonCellForm(organization=request.org),
        "can_edit": request.membership.can(Access.MANAGE),
        "tab": "raci",
    }
    return render(request, "leadership/raci.html", context, status=status)


@org_view()
def raci(request):
    return raci_page(request)


def get_activity(request, raci_activity_id: int) -> Activity:
    activity = get_object_or_404(Activity.objects.for_org(request.org), pk=raci_activity_id)
    activity.organization = request.org
    return activity


@org_view(Access.MANAGE)
@require_POST
def raci_row(request, raci_activity_id: int):
    activity = get_activity(request, raci_activity_id)
    roles, people = raci_columns(request.org)
    form = RowForm(
        request.POST,
        prefix=f"a{activity.pk}",
        activity=activity,
        roles=roles,
        people=people,
        cells=raci_cells(request.org).get(activity.pk, {}),
    )
    if form.is_valid():
        try:
            services.set_row(activity, actor=request.user, cells=form.cells())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            activity = Activity.objects.with_accountable().get(pk=activity.pk)
            flag = activity.flag()
            note = f" Flagged: {flag.lower()}." if flag else ""
            messages.success(request, f"“{activity.name}” saved.{note}")
        url = reverse("leadership_raci", kwargs={"org": request.org.slug})
        return redirect(f"{url}#activity-{activity.pk}")
    return raci_page(request, data=request.POST, bound_pk=activity.pk, status=422)


@org_view(Access.MANAGE)
@require_POST
def raci_person(request):
    form = PersonCellForm(request.POST, organization=request.org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_cell(
                data["activity"], actor=request.user, letter=data["letter"], person=data["person"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{person_label(data['person'])} is {data['letter']} for "
                f"“{data['activity'].name}”.",
            )
            url = reverse("leadership_raci", kwargs={"org": request.org.slug})
            return redirect(f"{url}#activity-{data['activity'].pk}")
    return raci_page(request, person_form=form, status=422)


@org_view()
def raci_export_csv(request):
    roles, people = raci_columns(request.org)
    cells = raci_cells(request.org)
    response, writer = csv_download("raci-matrix", request.org)
    writer.writerow(
        ["Activity", *[r.name for r in roles], *[person_label(p) for p in people], "Check"]
    )
    for activity in Activity.objects.for_org(request.org).with_accountable():
        row = cells.get(activity.pk, {})
        writer.writerow(
            [
                activity.name,
                *[row.get(("role", r.pk), "") for r in roles],
                *[row.get(("person", p.pk), "") for p in people],
                activity.flag() or "OK",
            ]
        )
    return response


def activity_form_page(request, activity: Activity):
    form = ActivityForm(request.POST if request.method == "POST" else None, instance=activity)
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_activity(changed, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Activity “{changed.name}” saved.")
            url = reverse("leadership_raci", kwargs={"org": request.org.slug})
            return redirect(f"{url}#activity-{changed.pk}")
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "activity": activity, "tab": "raci"}
    return render(request, "leadership/activity_form.html", context, status=status)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def activity_create(request):
    return activity_form_page(request, Activity(organization=request.org))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def activity_edit(request, raci_activity_id: int):
    return activity_form_page(request, get_activity(request, raci_activity_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def activity_delete(request, raci_activity_id: int):
    activity = get_activity(request, raci_activity_id)
    return confirm_delete(
        request,
        activity,
        delete=services.delete_activity,
        what="activity",
        back=reverse("leadership_raci", kwargs={"org": request.org.slug}),
        done=reverse("leadership_raci", kwargs={"org": request.org.slug}),
        consequence="Its row of the RACI matrix goes with it.",
        context=TABS | {"tab": "raci"},
    )


# --- Top management -----------------------------------------------------------------------------


@org_view()
def top_management(request):
    today = timezone.localdate()
    since = today - YEAR
    open_actions = list(
        CommitteeAction.objects.for_org(request.org)
        .open()
        .select_related("owner", "meeting")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:50]
    )
    for action in open_actions:
        action.meeting.organization = request.org
    # Both read every risk of the register (100,000 at the bench's size): once per version of
    # the organization's data, which includes today's date (aims/trail/cache.py).
    context = {
        **cached_for(
            request.org, "top-management-decisions", lambda: needs_decision(request.org, today)
        ),
        "open_actions": open_actions,
        "overdue_count": CommitteeAction.objects.for_org(request.org).overdue(today).count(),
        "members": cached_for(
            request.org,
            "top-management-involvement",
            lambda: top_management_involvement(request.org, since),
        ),
        "since": since,
        "today": today,
    }
    context["waiting"] = (
        len(context["due_decisions"]) + len(context["proposals"]) + len(context["risks"])
    )
    return render(request, "leadership/top_management.html", context)
