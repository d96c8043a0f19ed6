"""The scope of the AI management system (clause 4.3): versions, drafts and approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.pages import form_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from ..forms import ScopeFilterForm, ScopeForm
from ..models import ScopeStatus, ScopeVersion
from .common import csv_export, events_of, list_page, names, person, tabs


def get_version(request, scope_version_id: int) -> ScopeVersion:
    version = get_object_or_404(
        ScopeVersion.objects.for_org(request.org).select_related(
            "author", "last_edited_by", "approved_by"
        ),
        pk=scope_version_id,
    )
    version.organization = request.org
    return version


def filtered_versions(request):
    form = ScopeFilterForm(request.GET, organization=request.org)
    versions = ScopeVersion.objects.for_org(request.org).for_list().filtered(**form.applied())
    return versions, form


def current_scope(organization):
    current = (
        ScopeVersion.objects.for_org(organization)
        .approved()
        .select_related("approved_by")
        .prefetch_related("systems")
        .first()
    )
    if current is not None:
        current.organization = organization
    return current


@org_view()
def scope_list(request):
    versions, form = filtered_versions(request)
    extra = {
        "current": current_scope(request.org),
        "draft": ScopeVersion.objects.for_org(request.org).drafts().first(),
    }
    return list_page(
        request,
        records=versions,
        filters=form,
        tab="scope",
        template="context/scope_list.html",
        extra=extra,
    )


@org_view()
def scope_export_csv(request):
    versions, _ = filtered_versions(request)
    header = [
        "Version", "Status", "Scope statement", "AI systems in scope", "Organizational units",
        "Sites", "Activities", "Exclusions and reasons", "Interfaces and dependencies",
        "What changed", "Author", "Approved by", "Approved at", "Next review",
    ]  # fmt: skip
    rows = (
        [
            v.number,
            v.get_status_display(),
            v.statement,
            names(s.name for s in v.systems.all()),
            v.units,
            v.sites,
            v.activities,
            v.exclusions,
            v.interfaces,
            v.change_note,
            person(v.author),
            person(v.approved_by),
            v.approved_at,
            v.next_review,
        ]  # fmt: skip
        for v in versions
    )
    return csv_export(request, name="scope-versions", header=header, rows=rows)


LAYOUT = [
    ("The scope statement (4.3)", ["statement", "systems"]),
    ("Boundaries", ["units", "sites", "activities"]),
    ("Exclusions and interfaces", ["exclusions", "interfaces"]),
    ("This version", ["change_note", "clauses", "controls"]),
]


def scope_form(request, version: ScopeVersion):
    form = ScopeForm(
        request.POST if request.method == "POST" else None,
        instance=version,
        organization=request.org,
    )

    def save(form):
        data = form.cleaned_data
        return services.save_scope_draft(
            form.save(commit=False),
            actor=request.user,
            systems=list(data["systems"]),
            clauses=list(data["clauses"]),
            controls=list(data["controls"]),
        )

    return form_page(
        request,
        template="context/form.html",
        form=form,
        save=save,
        context={
            "record": version,
            "title": f"Edit draft version {version.number}" if version.pk else "New scope draft",
            "crumb": ("Scope", "scope_list"),
            "tabs": tabs(request, "scope"),
            "layout": LAYOUT,
            "intro": "A draft changes until someone with authority, other than its author, "
            "approves it; the approved version then never changes.",
            "submit": "Save draft",
        },
        saved=lambda v: f"Draft version {v.number} of the scope saved.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def scope_create(request):
    """Start a new draft from the approved version (or from the organization's scope text)."""
    draft = ScopeVersion.objects.for_org(request.org).drafts().first()
    if draft is not None:
        messages.info(request, f"Version {draft.number} is a draft already: change it here.")
        return redirect("scope_edit", org=request.org.slug, scope_version_id=draft.pk)
    return scope_form(request, services.draft_from_current(request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def scope_edit(request, scope_version_id: int):
    version = get_version(request, scope_version_id)
    if not version.is_draft:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()}: it never "
            "changes. Start a new draft to change the scope.",
        )
        return redirect(version.get_absolute_url())
    return scope_form(request, version)


@org_view()
def scope_detail(request, scope_version_id: int):
    version = get_version(request, scope_version_id)
    user = request.user
    context = {
        "version": version,
        "systems": version.systems.order_by("name"),
        "clauses": version.clauses.all(),
        "controls": version.controls.all(),
        "events": events_of(version),
        "tabs": tabs(request, "scope"),
        "can_decide": request.membership.can(Access.DECIDE),
        "wrote_it": user.pk in (version.author_id, version.last_edited_by_id),
        "today": timezone.localdate(),
        "statuses": ScopeStatus,
    }
    return render(request, "context/scope_detail.html", context)


@org_view(Access.DECIDE)
@require_POST
def scope_approve(request, scope_version_id: int):
    version = get_version(request, scope_version_id)
    try:
        services.approve_scope(version, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request, f"Version {version.number} of the scope is approved; it is the scope now."
        )
    return redirect(version.get_absolute_url())
