"""Pages of continual improvement (10.1): the improvement register, members' suggestions, and
the lessons-learned log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.incidents.models import Incident
from aims.nonconformities.models import Nonconformity
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import (
    ImprovementFilterForm,
    ImprovementForm,
    LessonFilterForm,
    LessonForm,
    MoveForm,
    SuggestionForm,
)
from .models import OPEN_STATUSES, Improvement, Lesson, LessonSource, Source, Status


def _number(value) -> int | None:
    text = (value or "")[:18]
    return int(text) if text.isascii() and text.isdigit() else None


def get_improvement(request, improvement_id: int) -> Improvement:
    improvement = get_object_or_404(
        Improvement.objects.for_org(request.org).select_related(
            "owner", "suggested_by", "system", "incident", "nonconformity"
        ),
        pk=improvement_id,
    )
    improvement.organization = request.org
    return improvement


def filtered_improvements(request):
    form = ImprovementFilterForm(request.GET)
    found = (
        Improvement.objects.for_org(request.org)
        .filtered(**form.filters(timezone.localdate()))
        .select_related("owner", "system")
        .order_by("-created_at", "-pk")
    )
    return found, form


@org_view()
def improvement_list(request):
    found, filters = filtered_improvements(request)
    page = paginate(request, found)
    counts = Improvement.objects.for_org(request.org).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        done=Count("pk", filter=Q(status=Status.DONE)),
    )
    context = {
        "page_obj": page,
        "improvements": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("improvement_list", kwargs={"org": request.org.slug}),
        "open_count": counts["open"],
        "done_count": counts["done"],
        "today": timezone.localdate(),
        "tab": "improvements",
    }
    return render(request, "improvement/improvement_list.html", context)


@org_view()
def improvement_export_csv(request):
    found, _ = filtered_improvements(request)
    found = found.select_related("incident", "nonconformity", "suggested_by")
    response, writer = csv_download("improvements", request.org)
    writer.writerow(
        [
            "Id",
            "Title",
            "Description",
            "Source",
            "Source reference",
            "Status",
            "Owner",
            "Due date",
            "AI system",
            "Incident",
            "Nonconformity",
            "Suggested by",
            "What changed",
            "Measured how",
            "Measured on",
            "Why rejected",
        ]
    )
    for item in found:
        writer.writerow(
            [
                item.ref,
                item.title,
                item.description,
                item.get_source_display(),
                item.source_reference,
                item.get_status_display(),
                person_label(item.owner) if item.owner else "",
                item.due_date.isoformat() if item.due_date else "",
                item.system.name if item.system else "",
                item.incident.ref if item.incident else "",
                item.nonconformity.ref if item.nonconformity else "",
                person_label(item.suggested_by) if item.suggested_by else "",
                item.outcome,
                item.outcome_measure,
                item.outcome_measured_on.isoformat() if item.outcome_measured_on else "",
                item.rejection_reason,
            ]
        )
    return response


def _form_page(request, improvement: Improvement, initial=None):
    form = ImprovementForm(
        request.POST if request.method == "POST" else None,
        instance=improvement,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        data = form.cleaned_data
        if improvement.pk is None:
            return services.add_improvement(request.org, actor=request.user, **data)
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.update_improvement(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="improvement/improvement_form.html",
        saved=lambda saved: f"Improvement {saved.ref} saved.",
        context={"improvement": improvement},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def improvement_create(request):
    """A new improvement; ``?incident=`` or ``?nonconformity=`` starts it from that record."""
    initial = {}
    if request.method == "GET":
        incident = _number(request.GET.get("incident"))
        nonconformity = _number(request.GET.get("nonconformity"))
        if incident:
            found = Incident.objects.for_org(request.org).filter(pk=incident).first()
            if found is not None:
                initial.update(incident=found, system=found.system_id, source=Source.INCIDENT)
        if nonconformity:
            found = Nonconformity.objects.for_org(request.org).filter(pk=nonconformity).first()
            if found is not None:
                initial.update(
                    nonconformity=found, system=found.system_id, source=Source.NONCONFORMITY
                )
    return _form_page(request, Improvement(organization=request.org), initial)


@org_view()
@require_http_methods(["GET", "POST"])
def improvement_suggest(request):
    """Any member, a viewer included, may suggest an improvement (it starts as proposed)."""
    form = SuggestionForm(
        request.POST if request.method == "POST" else None, organization=request.org
    )

    def save(form):
        return services.add_improvement(
            request.org,
            actor=request.user,
            source=Source.SUGGESTION,
            **form.cleaned_data,
        )

    return form_page(
        request,
        form,
        save=save,
        template="improvement/suggest_form.html",
        saved=lambda saved: f"Thank you: your suggestion is recorded as {saved.ref}.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def improvement_edit(request, improvement_id: int):
    improvement = get_improvement(request, improvement_id)
    return _form_page(request, improvement)


def detail_page(request, improvement, *, move_form=None, status=200):
    lessons = with_organization(improvement.lessons.order_by("-recorded_on", "-pk"), request.org)
    context = {
        "improvement": improvement,
        "today": timezone.localdate(),
        "next_statuses": [Status(s) for s in improvement.next_statuses()],
        "move_form": move_form or MoveForm(auto_id="move_%s"),
        "lessons": lessons,
        "deletion_refusal": services.deletion_refusal(improvement),
        "events": AuditEvent.objects.for_record(improvement)[:20],
    }
    return render(request, "improvement/improvement_detail.html", context, status=status)


@org_view()
def improvement_detail(request, improvement_id: int):
    return detail_page(request, get_improvement(request, improvement_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def improvement_move(request, improvement_id: int):
    improvement = get_improvement(request, improvement_id)
    form = MoveForm(request.POST, auto_id="move_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.move(
                improvement,
                data["to"],
                actor=request.user,
                reason=data["reason"],
                outcome=data["outcome"],
                outcome_measure=data["outcome_measure"],
                outcome_measured_on=data["outcome_measured_on"],
            )
        except services.MoveRefused as error:
            messages.error(request, " ".join(error.messages))
        except ValidationError as error:
            add_service_errors(form, error)
            improvement.refresh_from_db()
            return detail_page(request, improvement, move_form=form, status=422)
        else:
            messages.success(
                request, f"{improvement.ref} is now {Status(data['to']).label.lower()}."
            )
    else:
        messages.error(request, "Choose a status.")
    return redirect(improvement.get_absolute_url())


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def improvement_delete(request, improvement_id: int):
    improvement = get_improvement(request, improvement_id)
    return confirm_delete(
        request,
        improvement,
        delete=services.delete_improvement,
        what="improvement",
        back=improvement.get_absolute_url(),
        done=reverse("improvement_list", kwargs={"org": request.org.slug}),
        consequence="Only a proposed improvement recorded by mistake is deleted; once planned "
        "it stays in the register (reject it instead).",
    )


# --- Lessons learned ---------------------------------------------------------------------------


def get_lesson(request, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(
        Lesson.objects.for_org(request.org).select_related(
            "recorded_by", "incident", "nonconformity", "improvement"
        ),
        pk=lesson_id,
    )
    lesson.organization = request.org
    return lesson


def filtered_lessons(request):
    form = LessonFilterForm(request.GET)
    found = (
        Lesson.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("recorded_by", "incident", "nonconformity", "improvement")
        .order_by("-recorded_on", "-pk")
    )
    return found, form


@org_view()
def lesson_learned_list(request):
    found, filters = filtered_lessons(request)
    page = paginate(request, found)
    rows = with_organization(page.object_list, request.org)
    for lesson in rows:
        for linked in (lesson.incident, lesson.nonconformity, lesson.improvement):
            if linked is not None:
                linked.organization = request.org
    context = {
        "page_obj": page,
        "lessons": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("lesson_learned_list", kwargs={"org": request.org.slug}),
        "tab": "lessons",
    }
    return render(request, "improvement/lesson_learned_list.html", context)


@org_view()
def lesson_learned_export_csv(request):
    found, _ = filtered_lessons(request)
    response, writer = csv_download("lessons-learned", request.org)
    writer.writerow(
        [
            "Recorded on",
            "Title",
            "What happened",
            "Lesson",
            "Where it came from",
            "Reference",
            "Incident",
            "Nonconformity",
            "Improvement",
            "Recorded by",
        ]
    )
    for lesson in found:
        writer.writerow(
            [
                lesson.recorded_on.isoformat(),
                lesson.title,
                lesson.what_happened,
                lesson.lesson,
                lesson.get_source_display(),
                lesson.source_reference,
                lesson.incident.ref if lesson.incident else "",
                lesson.nonconformity.ref if lesson.nonconformity else "",
                lesson.improvement.ref if lesson.improvement else "",
                person_label(lesson.recorded_by) if lesson.recorded_by else "",
            ]
        )
    return response


def _lesson_page(request, lesson: Lesson, initial=None):
    form = LessonForm(
        request.POST if request.method == "POST" else None,
        instance=lesson,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_lesson(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="improvement/lesson_learned_form.html",
        saved=lambda saved: "Lesson learned saved.",
        context={"lesson": lesson},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def lesson_learned_create(request):
    """A new lesson; ``?incident=``, ``?nonconformity=`` or ``?improvement=`` link it."""
    initial = {"recorded_on": timezone.localdate()}
    if request.method == "GET":
        for name, model, source in (
            ("incident", Incident, LessonSource.INCIDENT),
            ("nonconformity", Nonconformity, LessonSource.NONCONFORMITY),
        ):
            number = _number(request.GET.get(name))
            found = model.objects.for_org(request.org).filter(pk=number).first() if number else None
            if found is not None:
                initial.update({name: found, "source": source})
        number = _number(request.GET.get("improvement"))
        if number:
            found = Improvement.objects.for_org(request.org).filter(pk=number).first()
            if found is not None:
                initial["improvement"] = found
    return _lesson_page(request, Lesson(organization=request.org), initial)


@org_view()
def lesson_learned_detail(request, lesson_id: int):
    lesson = get_lesson(request, lesson_id)
    for linked in (lesson.incident, lesson.nonconformity, lesson.improvement):
        if linked is not None:
            linked.organization = request.org
    context = {"lesson": lesson, "events": AuditEvent.objects.for_record(lesson)[:20]}
    return render(request, "improvement/lesson_learned_detail.html", context)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def lesson_learned_edit(request, lesson_id: int):
    return _lesson_page(request, get_lesson(request, lesson_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def lesson_learned_delete(request, lesson_id: int):
    lesson = get_lesson(request, lesson_id)
    return confirm_delete(
        request,
        lesson,
        delete=services.delete_lesson,
        what="lesson",
        back=lesson.get_absolute_url(),
        done=reverse("lesson_learned_list", kwargs={"org": request.org.slug}),
    )
