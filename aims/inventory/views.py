"""AI system inventory pages: the register, a system's record and its life cycle (clause 8, A.6)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.areas import hooks, page_sections
from aims.core.exports import safe_csv_writer
from aims.core.forms import add_service_errors, person_label
from aims.core.pages import record_urls
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.cache import cached_for
from aims.trail.models import AuditEvent

from .forms import SystemFilterForm, SystemForm, TransitionForm
from .models import AISystem, Stage
from .services import (
    GateBlocked,
    delete_system,
    deletion_blockers,
    move_to_stage,
    needs_decision,
    propose_transition,
    save_system,
)
from .templatetags.inventory_tags import tier_badge


def get_system(request, system_id: int) -> AISystem:
    return get_object_or_404(
        AISystem.objects.select_related("owner"), pk=system_id, organization=request.org
    )


def filtered_systems(request):
    """The filtered systems, with the columns other areas add (annotated on the query)."""
    systems = AISystem.objects.for_org(request.org).select_related("owner")
    columns = []
    for add_columns in hooks("system_list"):
        systems, added = add_columns(systems, request.org)
        columns += added
    filters = SystemFilterForm(request.GET, organization=request.org)
    return filters, filters.filter(systems), columns


# What the list reads of a system and its owner (a system's long texts stay in the database).
LISTED = (
    "organization",
    "name",
    "slug",
    "risk_tier",
    "stage",
    "updated_at",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


def list_rows(systems, organization, columns) -> list[dict]:
    """What the list shows of each system, worked out in Python; the template only places it
    (a template's variable lookup tries a key, an attribute and a call in turn, and ``|date``
    formats through the locale machinery: fifty rows of them cost some 5 ms)."""
    url = record_urls("system_detail", organization, "system_id")
    rows = []
    for system in systems:
        owner = system.owner
        rows.append(
            {
                "url": url(system.pk),
                "name": system.name,
                "slug": system.slug,
                "tier": system.get_risk_tier_display(),
                "tier_badge": tier_badge(system.risk_tier),
                "stage": system.get_stage_display(),
                "owner": (owner.get_full_name() or owner.get_username()) if owner else "",
                "values": {column.attr: getattr(system, column.attr) for column in columns},
                "cells": [column.cell(getattr(system, column.attr)) for column in columns],
                "updated": timezone.localtime(system.updated_at).date().isoformat(),
            }
        )
    return rows


def listed_page(request) -> tuple[Page, list, list[dict]]:
    """A page of the filtered list: the page, the columns other areas add, and its rows."""
    _, systems, columns = filtered_systems(request)
    page_obj = paginate(request, systems.only(*LISTED))
    return page_obj, columns, list_rows(page_obj.object_list, request.org, columns)


@org_view()
def system_list(request):
    filters = SystemFilterForm(request.GET, organization=request.org)
    is_filtered = any(request.GET.get(name) for name in filters.fields)
    if is_filtered:
        page_obj, columns, rows = listed_page(request)
    else:
        # The whole inventory, a page at a time: each page's rows and the other areas' columns
        # (their counts read every risk) once per version of the organization's data.
        page_obj = paginate(request, AISystem.objects.for_org(request.org))
        columns, rows = cached_for(
            request.org,
            f"system-list:{page_obj.number}",
            lambda: listed_page(request)[1:],
        )
    return render(
        request,
        "inventory/system_list.html",
        {
            "filters": filters,
            "page_obj": page_obj,
            "columns": columns,
            "rows": rows,
            "is_filtered": is_filtered,
            "querystring": query_without_page(request),
        },
    )


@org_view()
def system_export(request):
    _, systems, columns = filtered_systems(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{request.org.slug}-ai-systems-{stamp}.csv"'
    )
    writer = safe_csv_writer(response)
    writer.writerow(
        [
            "Short id",
            "Name",
            "Stage",
            "EU AI Act risk tier",
            "Our role",
            "Level of automation",
            "Affects individuals",
            "Owner",
            *(column.header for column in columns),
            "Purpose",
            "Intended use",
            "Foreseeable misuse",
            "AI technique",
            "Human oversight",
            "Affected stakeholders",
            "Data sets",
            "Models",
            "Third parties",
            "Updated",
        ]
    )
    for s in systems:
        row = [
            s.slug,
            s.name,
            s.get_stage_display(),
            s.get_risk_tier_display(),
            s.get_organization_role_display(),
            s.get_automation_display(),
            "yes" if s.affects_individuals else "no",
            person_label(s.owner) if s.owner else "",
            *(getattr(s, column.attr) for column in columns),
            s.purpose,
            s.intended_use,
            s.foreseeable_misuse,
            s.technique,
            s.human_oversight,
            s.affected_stakeholders,
            s.datasets,
            s.models_used,
            s.third_parties,
            timezone.localtime(s.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]
        writer.writerow(row)
    return response


def _edit(request, system: AISystem, *, template: str):
    form = SystemForm(request.POST or None, instance=system, organization=request.org)
    if request.method == "POST" and form.is_valid():
        creating = system.pk is None
        try:
            save_system(form.instance, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "registered" if creating else "saved"
            messages.success(request, f"“{system.name}” {verb}.")
            return redirect("system_detail", org=request.org.slug, system_id=system.pk)
    return render(request, template, {"form": form, "system": system})


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def system_create(request):
    return _edit(request, AISystem(organization=request.org), template="inventory/system_form.html")


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def system_edit(request, system_id: int):
    return _edit(request, get_system(request, system_id), template="inventory/system_form.html")


def stepper(system: AISystem, transitions) -> list[tuple[Stage, str]]:
    """Each stage with its state: past, current or ahead; a retired system shows how far it
    came before it was retired."""
    current = Stage(system.stage)
    if current == Stage.RETIRED:
        last = next((t for t in transitions if t.to_stage == Stage.RETIRED), None)
        reached = Stage(last.from_stage).index if last else -1
        steps = [(s, "past" if s.index <= reached else "") for s in Stage if s != Stage.RETIRED]
        return [*steps, (Stage.RETIRED, "current")]
    return [
        (s, "past" if s.index < current.index else "current" if s == current else "") for s in Stage
    ]


def render_detail(request, system: AISystem, *, transition_form=None, blocked=None, status=200):
    transitions = list(system.transitions.select_related("actor"))
    following = system.next_stage()
    context = {
        "may_decide": request.membership.can(Access.DECIDE),
        "system": system,
        "steps": stepper(system, transitions),
        "next_stage": following,
        "gate": system.gate(following) if following else [],
        "transitions": transitions,
        "sections": page_sections("system_page", system, request),
        "events": AuditEvent.objects.for_record(system)[:20],
        "blocked": blocked,
        "today": timezone.localdate(),
    }
    if request.membership.can(Access.CONTRIBUTE):
        context["transition_form"] = transition_form or TransitionForm(system=system)
    if request.membership.can(Access.MANAGE):
        context["deletion_blockers"] = deletion_blockers(system)
    return render(request, "inventory/system_detail.html", context, status=status)


@org_view()
def system_detail(request, system_id: int):
    return render_detail(request, get_system(request, system_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def system_transition(request, system_id: int):
    system = get_system(request, system_id)
    form = TransitionForm(request.POST, system=system)
    if form.is_valid():
        to_stage, reason = form.cleaned_data["to_stage"], form.cleaned_data["reason"]
        proposing = needs_decision(system, to_stage) and not request.membership.can(Access.DECIDE)
        try:
            if proposing:
                proposal = propose_transition(
                    system, to_stage=to_stage, actor=request.user, reason=reason
                )
            else:
                transition = move_to_stage(
                    system, to_stage=to_stage, actor=request.user, reason=reason
                )
        except GateBlocked as blocked:
            return render_detail(request, system, transition_form=form, blocked=blocked, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if proposing:
                messages.success(
                    request,
                    f"Proposed: {proposal.summary}. An Owner, an AIMS Manager or top "
                    "management approves or refuses it.",
                )
            else:
                messages.success(
                    request, f"“{system.name}” moved to {transition.get_to_stage_display()}."
                )
            return redirect("system_detail", org=request.org.slug, system_id=system.pk)
    return render_detail(request, system, transition_form=form, status=422)


@org_view(Access.MANAGE)
@require_POST
def system_delete(request, system_id: int):
    system = get_system(request, system_id)
    try:
        delete_system(system, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("system_detail", org=request.org.slug, system_id=system.pk)
    messages.success(request, f"“{system.name}” deleted. The audit trail keeps its record.")
    return redirect("system_list", org=request.org.slug)
