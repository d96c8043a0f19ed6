"""Internal and external issues (clause 4.1), and raising a risk from one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.core.pages import confirm_delete, form_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from ..forms import IssueFilterForm, IssueForm, RaiseRiskForm
from ..models import Issue
from .common import csv_export, events_of, list_page, person, requirement_refs, tabs


def get_issue(request, issue_id: int) -> Issue:
    issue = get_object_or_404(
        Issue.objects.for_org(request.org).select_related("owner"), pk=issue_id
    )
    issue.organization = request.org
    return issue


def filtered_issues(request):
    form = IssueFilterForm(request.GET, organization=request.org)
    issues = Issue.objects.for_org(request.org).for_list().filtered(**form.applied())
    return issues, form


@org_view()
def issue_list(request):
    issues, form = filtered_issues(request)
    return list_page(
        request, records=issues, filters=form, tab="issues", template="context/issue_list.html"
    )


@org_view()
def issue_export_csv(request):
    issues, _ = filtered_issues(request)
    issues = issues.prefetch_related("clauses", "controls")
    header = [
        "ID", "Title", "Description", "Internal or external", "Scheme", "Category",
        "Effect on the AIMS", "Raises", "Owner", "Review date", "Status", "Linked risks",
        "Addresses", "Recorded", "Updated",
    ]  # fmt: skip
    rows = (
        [
            i.ref,
            i.title,
            i.description,
            i.get_side_display(),
            i.scheme,
            i.get_category_display(),
            i.effect,
            i.get_raises_display(),
            person(i.owner),
            i.review_date,
            i.get_status_display(),
            "; ".join(r.ref for r in i.risks.all()),
            requirement_refs(i),
            i.created_at.date(),
            i.updated_at.date(),
        ]  # fmt: skip
        for i in issues
    )
    return csv_export(request, name="context-issues", header=header, rows=rows)


def issue_form(request, issue: Issue):
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        instance=issue,
        organization=request.org,
    )

    def save(form):
        data = form.cleaned_data
        return services.save_issue(
            form.save(commit=False),
            actor=request.user,
            risks=list(data["risks"]),
            clauses=list(data["clauses"]),
            controls=list(data["controls"]),
        )

    return form_page(
        request,
        template="context/form.html",
        form=form,
        save=save,
        context={
            "record": issue,
            "title": f"Edit {issue.ref}" if issue.pk else "New issue",
            "crumb": ("Issues", "issue_list"),
            "tabs": tabs(request, "issues"),
            "layout": [
                ("The issue (4.1)", ["title", "description", "side", "category"]),
                ("Its effect", ["effect", "raises", "risks"]),
                ("Follow-up", ["owner", "review_date", "status"]),
                ("Requirements it addresses", ["clauses", "controls"]),
            ],
            "submit": "Save changes" if issue.pk else "Record issue",
        },
        saved=lambda i: f"Issue {i.ref} saved.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def issue_create(request):
    return issue_form(request, Issue(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def issue_edit(request, issue_id: int):
    return issue_form(request, get_issue(request, issue_id))


def detail(request, issue: Issue, raise_form=None, status: int = 200):
    matrix = request.org.risk_matrix
    if raise_form is None:
        raise_form = RaiseRiskForm(
            matrix=matrix, initial={"category": services.risk_category_for(issue)}
        )
    risks = list(issue.risks.select_related("organization__risk_matrix").order_by("ref"))
    context = {
        "issue": issue,
        "risks": risks,
        "clauses": issue.clauses.all(),
        "controls": issue.controls.all(),
        "raise_form": raise_form,
        "matrix": matrix,
        "events": events_of(issue),
        "tabs": tabs(request, "issues"),
        "today": timezone.localdate(),
    }
    return render(request, "context/issue_detail.html", context, status=status)


@org_view()
def issue_detail(request, issue_id: int):
    return detail(request, get_issue(request, issue_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def issue_raise_risk(request, issue_id: int):
    """Add a risk to the register from the issue, in one step, and link the two."""
    issue = get_issue(request, issue_id)
    form = RaiseRiskForm(request.POST, matrix=request.org.risk_matrix)
    if form.is_valid():
        try:
            risk = services.raise_risk(
                issue,
                actor=request.user,
                likelihood=form.cleaned_data["inherent_likelihood"],
                impact=form.cleaned_data["inherent_impact"],
                category=form.cleaned_data["category"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Risk {risk.ref} added to the risk register and linked to {issue.ref}."
            )
            return redirect(issue.get_absolute_url())
    return detail(request, issue, raise_form=form, status=422)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def issue_delete(request, issue_id: int):
    issue = get_issue(request, issue_id)
    return confirm_delete(
        request,
        record=issue,
        delete=services.delete_issue,
        back=issue.get_absolute_url(),
        done=issue_list_url(request),
        what="issue",
        consequence="Its linked risks stay in the risk register. If the issue simply no longer "
        "applies, close it instead: it then stays on record for audits.",
    )


def issue_list_url(request) -> str:
    return reverse("issue_list", kwargs={"org": request.org.slug})
