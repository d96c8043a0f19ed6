"""The organization's role for each AI system: ISO/IEC 22989 roles and EU AI Act operator
roles, side by side but apart."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from aims.core.pages import form_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from ..forms import RoleFilterForm, SystemRoleForm
from ..models import AIRole, OperatorRole, SystemRole
from .common import csv_export, events_of, list_page, tabs


def get_role(request, system_role_id: int) -> SystemRole:
    role = get_object_or_404(
        SystemRole.objects.for_org(request.org).select_related("system"), pk=system_role_id
    )
    role.organization = request.org
    return role


def filtered_roles(request):
    form = RoleFilterForm(request.GET, organization=request.org)
    roles = SystemRole.objects.for_org(request.org).for_list().filtered(**form.applied())
    return roles, form


@org_view()
def role_list(request):
    roles, form = filtered_roles(request)
    extra = {"iso_roles": AIRole, "eu_roles": OperatorRole}
    return list_page(
        request,
        records=roles,
        filters=form,
        tab="roles",
        template="context/role_list.html",
        extra=extra,
    )


@org_view()
def role_export_csv(request):
    roles, _ = filtered_roles(request)
    header = ["AI system", "Roles (ISO/IEC 22989)", "Operator roles (EU AI Act)", "Note"]
    rows = (
        [
            r.system.name,
            "; ".join(r.iso_role_labels()),
            "; ".join(r.eu_role_labels()),
            r.note,
        ]
        for r in roles
    )
    return csv_export(request, name="ai-system-roles", header=header, rows=rows)


def role_form(request, role: SystemRole, initial: dict | None = None):
    form = SystemRoleForm(
        request.POST if request.method == "POST" else None,
        instance=role,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        return services.save_system_role(form.save(commit=False), actor=request.user)

    return form_page(
        request,
        template="context/form.html",
        form=form,
        save=save,
        context={
            "record": role,
            "title": f"Roles for {role.system.name}"
            if role.pk
            else "Record roles for an AI system",
            "crumb": ("AI system roles", "role_list"),
            "tabs": tabs(request, "roles"),
            "layout": [
                ("The AI system", ["system"]),
                ("In ISO/IEC 22989 terms", ["iso_roles"]),
                ("Under the EU AI Act", ["eu_roles"]),
                ("Why", ["note"]),
            ],
            "submit": "Save roles",
        },
        saved=lambda r: f"Roles for {r.system.name} saved.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def role_create(request):
    # From an AI system's page, the system comes chosen (?system=<id>).
    system = request.GET.get("system", "")
    initial = {"system": int(system)} if system.isdigit() and len(system) < 10 else None
    return role_form(request, SystemRole(organization=request.org), initial=initial)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def role_edit(request, system_role_id: int):
    return role_form(request, get_role(request, system_role_id))


@org_view()
def role_detail(request, system_role_id: int):
    role = get_role(request, system_role_id)
    context = {"role": role, "events": events_of(role), "tabs": tabs(request, "roles")}
    return render(request, "context/role_detail.html", context)
