"""Pages of competence and training (ISO/IEC 42001 7.2, 7.3, A.4.6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import (
    CompetenceFilterForm,
    CompetenceForm,
    CourseFilterForm,
    CourseForm,
    ImportForm,
    MatrixFilterForm,
    TrainingFilterForm,
    TrainingForm,
)
from .matrix import competence_matrix
from .models import Competence, Course, TrainingRecord

# --- The matrix ------------------------------------------------------------------------------


@org_view()
def matrix_page(request):
    form = MatrixFilterForm(request.GET)
    today = timezone.localdate()
    matrix = competence_matrix(request.org, today=today, role=form.role_value())
    with_organization([c.competence for c in matrix.columns], request.org)
    context = {
        "matrix": matrix,
        "filters": form,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "today": today,
    }
    return render(request, "competence/matrix.html", context)


@org_view()
def matrix_csv(request):
    form = MatrixFilterForm(request.GET)
    matrix = competence_matrix(request.org, today=timezone.localdate(), role=form.role_value())
    response, writer = csv_download("competence-matrix", request.org)
    writer.writerow(
        ["Person", "Username", "Role", *[c.competence.name for c in matrix.columns], "Gaps"]
    )
    for row in matrix.rows:
        cells = [
            f"{cell.label} ({cell.expires_on:%Y-%m-%d})"
            if cell.expires_on and cell.required
            else cell.label
            for cell in row.cells
        ]
        writer.writerow(
            [
                row.person.get_full_name(),
                row.person.get_username(),
                row.role_label,
                *cells,
                row.gaps,
            ]
        )
    writer.writerow(["Gaps per competence", "", "", *[c.gaps for c in matrix.columns], matrix.gaps])
    return response


# --- Competences -----------------------------------------------------------------------------


def _competences(request):
    form = CompetenceFilterForm(request.GET)
    found = (
        Competence.objects.for_org(request.org)
        .filtered(**form.filters())
        .prefetch_related("requirements__person", "courses", "clauses", "controls")
    )
    return found, form


@org_view()
def competence_list(request):
    competences, filters = _competences(request)
    page = paginate(request, competences)
    context = {
        "page_obj": page,
        "competences": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
    }
    return render(request, "competence/competence_list.html", context)


@org_view()
def competence_export_csv(request):
    competences, _ = _competences(request)
    response, writer = csv_download("competences", request.org)
    writer.writerow(
        [
            "Name",
            "Description",
            "Needed by roles",
            "Needed by people",
            "Courses",
            "Clauses and controls",
        ]
    )
    for competence in competences:
        requirements = list(competence.requirements.all())
        writer.writerow(
            [
                competence.name,
                competence.description,
                "; ".join(r.get_role_display() for r in requirements if r.role),
                "; ".join(r.person.get_username() for r in requirements if r.person_id),
                "; ".join(c.title for c in competence.courses.all()),
                "; ".join(competence.requirement_refs()),
            ]
        )
    return response


def get_competence(request, competence_id: int) -> Competence:
    competence = get_object_or_404(Competence.objects.for_org(request.org), pk=competence_id)
    competence.organization = request.org
    return competence


@org_view()
def competence_detail(request, competence_id: int):
    competence = get_competence(request, competence_id)
    matrix = competence_matrix(request.org, today=timezone.localdate())
    people = []
    for column_index, column in enumerate(matrix.columns):
        if column.competence.pk == competence.pk:
            people = [
                (row.person, row.role_label, row.cells[column_index])
                for row in matrix.rows
                if row.cells[column_index].required
            ]
    context = {
        "competence": competence,
        "requirements": competence.requirements.select_related("person"),
        "courses": with_organization(list(competence.courses.all()), request.org),
        "people": people,
        "events": AuditEvent.objects.for_record(competence)[:20],
    }
    return render(request, "competence/competence_detail.html", context)


def _competence_form(request, competence: Competence):
    form = CompetenceForm(
        request.POST if request.method == "POST" else None,
        instance=competence,
        organization=request.org,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        data = form.cleaned_data
        try:
            services.save_competence(
                changed,
                actor=request.user,
                roles=data["roles"],
                people=list(data["people"]),
                clauses=list(data["clauses"]),
                controls=list(data["controls"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Competence “{changed.name}” saved.")
            return redirect(changed.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "competence/competence_form.html",
        {"form": form, "competence": competence},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def competence_create(request):
    return _competence_form(request, Competence(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def competence_edit(request, competence_id: int):
    return _competence_form(request, get_competence(request, competence_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def competence_delete(request, competence_id: int):
    competence = get_competence(request, competence_id)
    return confirm_delete(
        request,
        competence,
        what="competence",
        delete=services.delete_competence,
        back=competence.get_absolute_url(),
        done=reverse("competence_list", kwargs={"org": request.org.slug}),
        consequence="Who needs it goes with it, and courses stop giving it. Training records stay.",
    )


# --- Courses ---------------------------------------------------------------------------------


def _courses(request):
    form = CourseFilterForm(request.GET, organization=request.org)
    found = (
        Course.objects.for_org(request.org)
        .filtered(**form.filters())
        .prefetch_related("competences")
    )
    return found, form


@org_view()
def course_list(request):
    courses, filters = _courses(request)
    page = paginate(request, courses)
    context = {
        "page_obj": page,
        "courses": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
    }
    return render(request, "competence/course_list.html", context)


@org_view()
def course_export_csv(request):
    courses, _ = _courses(request)
    response, writer = csv_download("courses", request.org)
    writer.writerow(["Title", "Provider", "Competences", "Validity (months)", "Description"])
    for course in courses:
        writer.writerow(
            [
                course.title,
                course.provider,
                "; ".join(c.name for c in course.competences.all()),
                course.validity_months,
                course.description,
            ]
        )
    return response


def get_course(request, course_id: int) -> Course:
    course = get_object_or_404(Course.objects.for_org(request.org), pk=course_id)
    course.organization = request.org
    return course


@org_view()
def course_detail(request, course_id: int):
    course = get_course(request, course_id)
    records = course.training_records.select_related("person")
    context = {
        "course": course,
        "competences": with_organization(list(course.competences.all()), request.org),
        "records": with_organization(list(records[:50]), request.org),
        "record_count": records.count(),
        "today": timezone.localdate(),
        "events": AuditEvent.objects.for_record(course)[:20],
    }
    return render(request, "competence/course_detail.html", context)


def _course_form(request, course: Course):
    form = CourseForm(
        request.POST if request.method == "POST" else None,
        instance=course,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_course(
            changed, actor=request.user, competences=list(form.cleaned_data["competences"])
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="competence/course_form.html",
        saved=lambda changed: f"Course “{changed.title}” saved.",
        context={"course": course},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def course_create(request):
    return _course_form(request, Course(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def course_edit(request, course_id: int):
    return _course_form(request, get_course(request, course_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def course_delete(request, course_id: int):
    course = get_course(request, course_id)
    return confirm_delete(
        request,
        course,
        what="course",
        delete=services.delete_course,
        back=course.get_absolute_url(),
        done=reverse("course_list", kwargs={"org": request.org.slug}),
    )


# --- Training records ------------------------------------------------------------------------


def _training(request):
    form = TrainingFilterForm(request.GET, organization=request.org)
    found = (
        TrainingRecord.objects.for_org(request.org)
        .filtered(**form.filters(), today=timezone.localdate())
        .select_related("person", "course")
    )
    return found, form


@org_view()
def training_list(request):
    records, filters = _training(request)
    page = paginate(request, records)
    context = {
        "page_obj": page,
        "records": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "today": timezone.localdate(),
    }
    return render(request, "competence/training_list.html", context)


@org_view()
def training_export_csv(request):
    records, _ = _training(request)
    today = timezone.localdate()
    response, writer = csv_download("training-records", request.org)
    writer.writerow(
        ["Person", "Username", "Course", "Completed on", "Expires on", "State", "Evidence", "Note"]
    )
    for record in records:
        writer.writerow(
            [
                person_label(record.person),
                record.person.get_username(),
                record.course.title,
                record.completed_on,
                record.expires_on,
                record.state(today).label,
                record.evidence,
                record.note,
            ]
        )
    return response


def get_training(request, training_id: int) -> TrainingRecord:
    record = get_object_or_404(
        TrainingRecord.objects.for_org(request.org).select_related("person", "course"),
        pk=training_id,
    )
    record.organization = request.org
    return record


@org_view()
def training_detail(request, training_id: int):
    record = get_training(request, training_id)
    record.course.organization = request.org
    context = {
        "record": record,
        "competences": with_organization(list(record.course.competences.all()), request.org),
        "state": record.state(),
        "events": AuditEvent.objects.for_record(record)[:20],
    }
    return render(request, "competence/training_detail.html", context)


def _training_form(request, record: TrainingRecord):
    initial = {}
    if record.pk is None:
        for name in ("person", "course"):
            if request.GET.get(name, "").isdigit():
                initial[name] = request.GET[name]
    form = TrainingForm(
        request.POST if request.method == "POST" else None,
        instance=record,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        changed = form.save(commit=False)
        services.record_training(changed, actor=request.user)
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="competence/training_form.html",
        saved=lambda changed: "Training recorded.",
        context={"record": record},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def training_create(request):
    return _training_form(request, TrainingRecord(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def training_edit(request, training_id: int):
    return _training_form(request, get_training(request, training_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def training_delete(request, training_id: int):
    record = get_training(request, training_id)
    return confirm_delete(
        request,
        record,
        what="training record",
        delete=services.delete_training,
        back=record.get_absolute_url(),
        done=reverse("training_list", kwargs={"org": request.org.slug}),
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def training_import(request):
    """Upload a learning system's export, see every row checked, then confirm the import."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": services.IMPORT_COLUMNS, "errors": [], "rows": None}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.data_bytes()
        today = timezone.localdate()
        if data is None:
            form.add_error("file", "Choose a CSV file to import.")
            status = 422
        elif request.POST.get("confirm") and not form.cleaned_data.get("file"):
            try:
                result = services.import_training(
                    request.org, data, actor=request.user, today=today
                )
            except services.ImportRefused as refused:
                context["errors"] = refused.row_errors
                status = 422
            else:
                messages.success(
                    request,
                    f"Imported {result.imported} training record{'s' if result.imported != 1 else ''}"
                    + (f"; {result.skipped} already recorded, skipped." if result.skipped else "."),
                )
                return redirect("training_list", org=request.org.slug)
        else:
            try:
                rows = services.parse_training_csv(request.org, data, today=today)
            except services.ImportRefused as refused:
                context["errors"] = refused.row_errors
                status = 422
            else:
                context["rows"] = rows
                context["new_rows"] = sum(not r.already_recorded for r in rows)
                context["content"] = data.decode("utf-8-sig")
    elif request.method == "POST":
        status = 422
    return render(request, "competence/training_import.html", context, status=status)
