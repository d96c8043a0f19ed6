"""Pages of impact assessments (6.1.4, 8.4, A.5): the list, an assessment, its findings, its
sign-off and its fundamental rights impact assessment view (EU AI Act Art. 27)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import person_label
from aims.core.pages import act, confirm_delete, csv_download, form_page, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import AssessmentFilterForm, AssessmentForm, FindingFormSet, ScheduleForm, SignOffForm
from .models import ImpactAssessment, ImpactFinding, Status


def get_assessment(request, assessment_id: int) -> ImpactAssessment:
    assessment = get_object_or_404(
        ImpactAssessment.objects.for_org(request.org).select_related(
            "system", "author", "last_edited_by", "signed_by", "previous"
        ),
        pk=assessment_id,
    )
    assessment.organization = request.org
    assessment.system.organization = request.org
    return assessment


def findings_of(assessment: ImpactAssessment) -> list[ImpactFinding]:
    findings = list(assessment.findings.prefetch_related("risks").order_by("pk"))
    for finding in findings:
        finding.assessment = assessment
        for risk in finding.risks.all():
            risk.organization = assessment.organization
    return findings


# --- The list ----------------------------------------------------------------------------------


def filtered_assessments(request):
    form = AssessmentFilterForm(request.GET, organization=request.org)
    found = (
        ImpactAssessment.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("system", "author", "signed_by")
        .annotate(risk_count=Count("findings__risks", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return found, form


@org_view()
def impact_list(request):
    assessments, filters = filtered_assessments(request)
    page = paginate(request, assessments)
    today = timezone.localdate()
    rows = list(page.object_list)
    for assessment in rows:
        assessment.organization = request.org
        assessment.system.organization = request.org
        assessment.currency_now = assessment.currency(today)
    every = ImpactAssessment.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "assessments": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("impact_list", kwargs={"org": request.org.slug}),
        "counts": {
            "current": every.current(today).count(),
            "due": every.due(today).count(),
            "overdue": every.overdue(today).count(),
            "open": every.open().count(),
        },
    }
    return render(request, "impact/impact_list.html", context)


@org_view()
def impact_export_csv(request):
    assessments, _ = filtered_assessments(request)
    assessments = assessments.prefetch_related("clauses", "controls")
    today = timezone.localdate()
    response, writer = csv_download("impact-assessments", request.org)
    writer.writerow(
        [
            "Number",
            "Title",
            "AI system",
            "System version",
            "Status",
            "Currency",
            "Author",
            "Signed off by",
            "Authority",
            "Signed off at",
            "Stage at sign-off",
            "Next reassessment",
            "Risks raised",
            "Clauses and controls",
        ]
    )
    for assessment in assessments:
        currency = assessment.currency(today)
        writer.writerow(
            [
                assessment.pk,
                assessment.title,
                assessment.system.name,
                assessment.system_version,
                assessment.get_status_display(),
                currency.label if currency else "",
                person_label(assessment.author) if assessment.author else "",
                person_label(assessment.signed_by) if assessment.signed_by else "",
                assessment.signer_authority,
                assessment.signed_at.isoformat(timespec="minutes") if assessment.signed_at else "",
                assessment.get_signed_stage_display(),
                assessment.next_reassessment or "",
                assessment.risk_count,
                "; ".join(assessment.requirement_refs()),
            ]
        )
    return response


# --- One assessment ----------------------------------------------------------------------------


def assessment_form_page(request, assessment: ImpactAssessment, *, initial=None):
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment,
        organization=request.org,
        initial=initial,
    )
    creating = assessment.pk is None

    def save(form):
        changed = form.save(commit=False)
        links = {
            "clauses": list(form.cleaned_data["clauses"]),
            "controls": list(form.cleaned_data["controls"]),
        }
        if creating:
            services.create_assessment(changed, actor=request.user, **links)
        else:
            services.save_assessment(changed, actor=request.user, **links)
        changed.organization = request.org
        return changed

    if not creating and not assessment.is_open:
        messages.error(
            request,
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: it no longer "
            "changes. Reassess it to write a new version.",
        )
        return redirect(assessment.get_absolute_url())
    return form_page(
        request,
        form,
        save=save,
        template="impact/impact_form.html",
        saved=lambda changed: (
            f"Impact assessment “{changed.title}” saved."
            + (" Now assess each impact dimension." if creating else "")
        ),
        context={"assessment": assessment},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def impact_create(request):
    """A new assessment; from a system's page (``?system=``) it starts with that system."""
    initial = {}
    system_id = request.GET.get("system", "")
    if system_id.isascii() and system_id.isdigit() and len(system_id) <= 18:
        found = AISystem.objects.for_org(request.org).filter(pk=int(system_id)).first()
        if found is not None:
            initial = {
                "system": found,
                "system_version": found.version,
                "intended_use": found.intended_use,
                "foreseeable_misuse": found.foreseeable_misuse,
            }
    return assessment_form_page(
        request, ImpactAssessment(organization=request.org), initial=initial
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def impact_edit(request, assessment_id: int):
    return assessment_form_page(request, get_assessment(request, assessment_id))


@org_view()
def impact_detail(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    today = timezone.localdate()
    membership = request.membership
    refusal = services.sign_off_refusal(assessment, request.user)
    context = {
        "assessment": assessment,
        "system": assessment.system,
        "findings": findings_of(assessment),
        "clauses": assessment.clauses.all(),
        "controls": assessment.controls.all(),
        "currency": assessment.currency(today),
        "is_current": assessment.is_current(today),
        "problems": services.submission_problems(assessment)
        if assessment.status == Status.DRAFT
        else {},
        "sign_off_refusal": refusal,
        "sign_off_form": SignOffForm(),
        "schedule_form": ScheduleForm(initial={"next_reassessment": assessment.next_reassessment}),
        "can_decide": membership.can(Access.DECIDE),
        "reassessments": list(assessment.reassessments.order_by("pk")),
        "today": today,
        "events": AuditEvent.objects.for_record(assessment)[:20],
    }
    return render(request, "impact/impact_detail.html", context)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def impact_findings(request, assessment_id: int):
    """Every dimension of the assessment on one page."""
    assessment = get_assessment(request, assessment_id)
    if not assessment.is_open:
        messages.error(
            request,
            f"“{assessment.title}” is {assessment.get_status_display().lower()}: its findings "
            "no longer change. Reassess it to write a new version.",
        )
        return redirect(assessment.get_absolute_url())
    queryset = assessment.findings.order_by("pk")
    formset = FindingFormSet(request.POST if request.method == "POST" else None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        changes = {
            form.instance.dimension: {
                name: form.cleaned_data[name] for name in services.FINDING_FIELDS
            }
            for form in formset.forms
        }
        try:
            services.save_findings(assessment, changes, actor=request.user)
        except ValidationError as error:
            by_dimension = {form.instance.dimension: form for form in formset.forms}
            for key, messages_ in error.message_dict.items():
                dimension, _, name = key.partition(".")
                form = by_dimension.get(dimension)
                if form is not None and name in form.fields:
                    for message in messages_:
                        form.add_error(name, message)
                else:
                    for message in messages_:
                        messages.error(request, message)
        else:
            messages.success(request, "Findings saved.")
            return redirect(assessment.get_absolute_url())
    for form in formset.forms:
        form.instance.assessment = assessment
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "impact/impact_findings.html",
        {"assessment": assessment, "formset": formset},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def impact_delete(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return confirm_delete(
        request,
        assessment,
        delete=services.delete_assessment,
        what="impact assessment",
        back=assessment.get_absolute_url(),
        done=reverse("impact_list", kwargs={"org": request.org.slug}),
        consequence="Only a draft is deleted; its findings go with it. Risks raised from it "
        "stay in the register.",
    )


def _act(request, assessment, action, success: str, *, to=None):
    return act(request, action, success, back=assessment.get_absolute_url(), to=to)


@org_view(Access.CONTRIBUTE)
@require_POST
def impact_submit(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return _act(
        request,
        assessment,
        lambda: services.submit(assessment, actor=request.user),
        "Submitted for review: a member with authority who did not write it signs it off.",
    )


@org_view(Access.DECIDE)
@require_POST
def impact_sign_off(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(assessment.get_absolute_url())
    return _act(
        request,
        assessment,
        lambda: services.sign_off(
            assessment,
            actor=request.user,
            next_reassessment=form.cleaned_data["next_reassessment"],
            note=form.cleaned_data["note"],
        ),
        "Signed off: this is the system's impact assessment in force.",
    )


@org_view(Access.DECIDE)
@require_POST
def impact_schedule(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the next reassessment date as YYYY-MM-DD.")
        return redirect(assessment.get_absolute_url())
    return _act(
        request,
        assessment,
        lambda: services.set_next_reassessment(
            assessment, actor=request.user, when=form.cleaned_data["next_reassessment"]
        ),
        "Next reassessment moved.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def impact_reassess(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return _act(
        request,
        assessment,
        lambda: services.reassess(assessment, actor=request.user),
        "Reassessment started as a new draft; the signed-off assessment stays in force until "
        "this one is signed off.",
        to=lambda copied: copied.get_absolute_url(),
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def impact_raise_risk(request, assessment_id: int, finding_id: int):
    assessment = get_assessment(request, assessment_id)
    finding = get_object_or_404(assessment.findings.all(), pk=finding_id)
    try:
        risk = services.raise_risk(finding, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{assessment.get_absolute_url()}#finding-{finding.dimension}")
    messages.success(request, f"Risk {risk.ref} raised in the register and linked to this finding.")
    return redirect(f"{assessment.get_absolute_url()}#finding-{finding.dimension}")


@org_view()
def impact_fria(request, assessment_id: int):
    """The fundamental rights impact assessment (EU AI Act Art. 27), from the same record."""
    assessment = get_assessment(request, assessment_id)
    context = {
        "assessment": assessment,
        "system": assessment.system,
        "findings": findings_of(assessment),
        "applies": assessment.fria_applies(),
        "today": timezone.localdate(),
    }
    return render(request, "impact/impact_fria.html", context)
