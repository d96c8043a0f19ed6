"""Pages of documented information (7.5) and the AI policy (5.2, A.2)."""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.core.pages import act, csv_download
from aims.core.pagination import paginate, query_without_page
from aims.evidence import storage
from aims.organizations.access import org_view
from aims.organizations.models import Access, Membership
from aims.trail.models import AuditEvent, record_type_of

from . import services
from .forms import (
    ContentForm,
    DocumentFilterForm,
    DocumentForm,
    NewDocumentForm,
    ReasonForm,
    ReviewForm,
    StarterForm,
)
from .models import Acknowledgement, Document, DocumentVersion, State
from .rendering import render_markdown
from .starters import STARTERS


def get_document(request, document_id: int) -> Document:
    document = get_object_or_404(
        Document.objects.for_org(request.org).select_related(
            "owner", "approved_version", "latest_version"
        ),
        pk=document_id,
    )
    document.organization = request.org
    return document


def get_version(request, document: Document, number: int) -> DocumentVersion:
    version = get_object_or_404(
        document.versions.select_related("author", "approved_by", "submitted_by"), number=number
    )
    version.document = document
    return version


def detail_url(request, document: Document) -> str:
    return reverse("document_detail", kwargs={"org": request.org.slug, "document_id": document.pk})


def filtered_documents(request):
    form = DocumentFilterForm(request.GET, organization=request.org)
    documents = Document.objects.for_org(request.org).for_list().filtered(**form.filters())
    return documents, form


@org_view()
def document_list(request):
    documents, filters = filtered_documents(request)
    page = paginate(request, documents)
    list_url = reverse("document_list", kwargs={"org": request.org.slug})
    context = {
        "page_obj": page,
        "documents": page.object_list,
        "filters": filters,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "list_url": list_url,
        "today": timezone.localdate(),
        "to_read": to_read_for(request).count(),
    }
    return render(request, "documents/document_list.html", context)


@org_view()
def document_export_csv(request):
    documents, _ = filtered_documents(request)
    response, writer = csv_download("documents", request.org)
    writer.writerow(
        [
            "Title",
            "Kind",
            "AI policy",
            "Status",
            "Version in force",
            "Latest version",
            "Owner",
            "Classification",
            "For roles",
            "Review cycle (months)",
            "Next review",
            "Review overdue",
            "Clauses and controls",
            "Updated",
        ]
    )
    today = timezone.localdate()
    for document in documents.prefetch_related("clauses", "controls"):
        writer.writerow(
            [
                document.title,
                document.get_kind_display(),
                "Yes" if document.is_ai_policy else "No",
                document.get_status_display(),
                document.approved_version.number if document.approved_version else "",
                document.latest_version.number if document.latest_version else "",
                document.owner.get_username() if document.owner else "",
                document.get_classification_display(),
                "; ".join(document.audience_labels()) or "Everyone",
                document.review_months,
                document.next_review,
                "Yes" if document.is_review_overdue(today) else "No",
                "; ".join(document.requirement_refs()),
                document.updated_at.date(),
            ]
        )
    return response


def to_read_for(request):
    """The approved documents in force this member is asked to read and has not acknowledged."""
    read = Acknowledgement.objects.filter(version=OuterRef("approved_version"), user=request.user)
    return (
        Document.objects.for_org(request.org)
        .current()
        .filter(Q(kind__in=services.READ_KINDS) | Q(is_ai_policy=True))
        .for_role(request.membership.role)
        .exclude(Exists(read))
        .select_related("approved_version", "owner")
        .order_by("-is_ai_policy", "title")
    )


@org_view()
def document_to_read(request):
    documents = list(to_read_for(request)[:200])
    done = (
        Acknowledgement.objects.filter(organization=request.org, user=request.user)
        .select_related("version__document")
        .order_by("-acknowledged_at")[:20]
    )
    return render(
        request, "documents/document_to_read.html", {"documents": documents, "done": done}
    )


def _requirements(form) -> dict:
    return {
        "clauses": list(form.cleaned_data["clauses"]),
        "controls": list(form.cleaned_data["controls"]),
    }


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def document_create(request):
    document = Document(organization=request.org, owner=request.user)
    form = NewDocumentForm(
        request.POST or None, request.FILES or None, instance=document, organization=request.org
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        changed.audience_roles = ",".join(form.cleaned_data["audience"])
        try:
            services.create_document(
                changed,
                actor=request.user,
                content=form.cleaned_data["content"],
                change_note=form.cleaned_data["change_note"],
                upload=form.cleaned_data.get("file"),
                **_requirements(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{changed.title}” created as a draft (version 1).")
            return redirect(detail_url(request, changed))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "document": None, "with_content": True},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def document_edit(request, document_id: int):
    document = get_document(request, document_id)
    form = DocumentForm(request.POST or None, instance=document, organization=request.org)
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        changed.audience_roles = ",".join(form.cleaned_data["audience"])
        try:
            services.update_document(changed, actor=request.user, **_requirements(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Details of “{changed.title}” saved.")
            return redirect(detail_url(request, changed))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_form.html",
        {"form": form, "document": document, "with_content": False},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def document_write(request, document_id: int):
    """Write the text: the draft, or a new draft when the latest version is approved."""
    document = get_document(request, document_id)
    latest = document.latest_version
    if document.is_retired or (latest is not None and latest.state == State.IN_REVIEW):
        messages.error(
            request,
            "This document is retired."
            if document.is_retired
            else f"Version {latest.number} is in review: it cannot change until a reviewer sends it "
            "back or approves it.",
        )
        return redirect(detail_url(request, document))
    starts_new = latest is None or latest.is_fixed
    initial = {"content": latest.content if latest else ""}
    if latest is not None and not starts_new:
        initial["change_note"] = latest.change_note
    form = ContentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_draft(
                document,
                actor=request.user,
                content=form.cleaned_data["content"],
                change_note=form.cleaned_data["change_note"],
                upload=form.cleaned_data.get("file"),
                remove_file=form.cleaned_data["remove_file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft version {version.number} saved.")
            return redirect(detail_url(request, document))
    source = form["content"].value() or ""
    context = {
        "form": form,
        "document": document,
        "latest": latest,
        "starts_new": starts_new,
        "next_number": (latest.number + 1)
        if starts_new and latest
        else (latest.number if latest else 1),
        "rendered": render_markdown(source),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "documents/document_write.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_POST
def document_preview(request, document_id: int):
    """The live preview of the text being written (an htmx fragment)."""
    get_document(request, document_id)
    source = request.POST.get("content", "")[
        : DocumentVersion._meta.get_field("content").max_length
    ]
    return render(request, "documents/_rendered.html", {"rendered": render_markdown(source)})


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def document_from_template(request):
    form = StarterForm(request.POST or None, initial={"template": request.GET.get("template")})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.create_from_starter(
                request.org,
                form.cleaned_data["template"],
                actor=request.user,
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"“{document.title}” created from the template as a draft: adapt it to your "
                "organization, then submit it for review.",
            )
            return redirect(detail_url(request, document))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_templates.html",
        {"form": form, "starters": list(STARTERS.values())},
        status=status,
    )


def events_of(document: Document, version_ids: list[int]):
    return AuditEvent.objects.filter(
        Q(record_type=record_type_of(document), record_id=str(document.pk))
        | Q(
            record_type=record_type_of(DocumentVersion()),
            record_id__in=[str(pk) for pk in version_ids],
        ),
        organization=document.organization,
    )[:30]


def acknowledgement_status(document: Document) -> dict | None:
    """Who was asked to read the version in force, who has and who has not (members of the
    document's roles; everyone when it names none)."""
    version = document.approved_version
    asked = document.is_ai_policy or document.kind in services.READ_KINDS
    if version is None or document.is_retired or not asked:
        return None
    members = Membership.objects.filter(organization=document.organization).select_related("user")
    if document.audience:
        members = members.filter(role__in=document.audience)
    read = {
        a.user_id: a
        for a in Acknowledgement.objects.filter(version=version).only("user_id", "acknowledged_at")
    }
    people = sorted(members, key=lambda m: m.user.get_username())
    have = [(m, read[m.user_id]) for m in people if m.user_id in read]
    have_not = [m for m in people if m.user_id not in read]
    return {"version": version, "have": have, "have_not": have_not, "total": len(people)}


@org_view()
def document_detail(request, document_id: int):
    document = get_document(request, document_id)
    versions = list(document.versions.select_related("author", "approved_by").order_by("-number"))
    for version in versions:
        version.document = document
    current = document.approved_version
    shown = current or document.latest_version
    latest = document.latest_version
    acknowledgements = acknowledgement_status(document)
    mine = None
    if current is not None:
        mine = Acknowledgement.objects.filter(version=current, user=request.user).first()
    context = {
        "document": document,
        "versions": versions,
        "current": current,
        "shown": shown,
        "latest": latest,
        "rendered": render_markdown(shown.content) if shown else None,
        "acknowledgements": acknowledgements,
        "my_acknowledgement": mine,
        "asked_of_me": acknowledgements is not None and document.is_for(request.membership.role),
        "reviews": document.reviews.select_related("reviewed_by")[:10],
        "events": events_of(document, [v.pk for v in versions]),
        "clauses": document.clauses.all(),
        "controls": document.controls.all(),
        "can_decide": request.membership.can(Access.DECIDE),
        "approval_refusal": services.approval_refusal(latest, request.membership)
        if latest is not None and latest.state == State.IN_REVIEW
        else "",
        "refuse_form": ReasonForm(),
        "today": timezone.localdate(),
    }
    return render(request, "documents/document_detail.html", context)


@org_view()
def document_version(request, document_id: int, version_number: int):
    document = get_document(request, document_id)
    version = get_version(request, document, version_number)
    return render(
        request,
        "documents/document_version.html",
        {"document": document, "version": version, "rendered": render_markdown(version.content)},
    )


@org_view()
def document_version_file(request, document_id: int, version_number: int):
    document = get_document(request, document_id)
    version = get_version(request, document, version_number)
    if not version.has_file:
        raise Http404("This version has no file.")
    try:
        storage.verify(version.file_sha256)
    except storage.IntegrityError as exc:
        raise Http404("The stored file is missing or altered.") from exc
    response = FileResponse(
        storage.path_for(version.file_sha256).open("rb"),
        as_attachment=True,
        filename=version.file_name,
        content_type="application/octet-stream",
    )
    return response


def diff_rows(old: str, new: str, *, context: int = 3) -> list[dict]:
    """A line-by-line comparison: rows of (left number, left line, right number, right line,
    kind), long unchanged runs folded to ``context`` lines on each side."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[dict] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            span = i2 - i1
            if span > 2 * context + 1:
                keep = list(range(i1, i1 + context)) if rows else []
                for i in keep:
                    rows.append(_row("same", i, a[i], j1 + i - i1, b[j1 + i - i1]))
                hidden = span - len(keep) - context
                rows.append({"kind": "fold", "count": hidden})
                for i in range(i2 - context, i2):
                    rows.append(_row("same", i, a[i], j1 + i - i1, b[j1 + i - i1]))
            else:
                for i in range(i1, i2):
                    rows.append(_row("same", i, a[i], j1 + i - i1, b[j1 + i - i1]))
            continue
        left, right = list(range(i1, i2)), list(range(j1, j2))
        for n in range(max(len(left), len(right))):
            i = left[n] if n < len(left) else None
            j = right[n] if n < len(right) else None
            kind = (
                "changed"
                if i is not None and j is not None
                else ("removed" if j is None else "added")
            )
            rows.append(
                _row(kind, i, a[i] if i is not None else None, j, b[j] if j is not None else None)
            )
    return rows


def _row(kind, i, left, j, right) -> dict:
    return {
        "kind": kind,
        "left_no": i + 1 if i is not None else None,
        "left": left,
        "right_no": j + 1 if j is not None else None,
        "right": right,
    }


@org_view()
def document_compare(request, document_id: int):
    document = get_document(request, document_id)
    versions = list(document.versions.order_by("-number"))
    numbers = [v.number for v in versions]

    def chosen(name, default):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in numbers else default

    newest = numbers[0] if numbers else None
    older = numbers[1] if len(numbers) > 1 else newest
    a, b = chosen("a", older), chosen("b", newest)
    by_number = {v.number: v for v in versions}
    rows, counts = [], {"added": 0, "removed": 0, "changed": 0}
    if a is not None and b is not None:
        rows = diff_rows(by_number[a].content, by_number[b].content)
        for row in rows:
            if row["kind"] in counts:
                counts[row["kind"]] += 1
    context = {
        "document": document,
        "versions": versions,
        "a": by_number.get(a),
        "b": by_number.get(b),
        "rows": rows,
        "counts": counts,
    }
    return render(request, "documents/document_compare.html", context)


def _act(request, document, action, success: str):
    return act(request, action, success, back=detail_url(request, document))


@org_view(Access.CONTRIBUTE)
@require_POST
def document_submit(request, document_id: int, version_number: int):
    document = get_document(request, document_id)
    version = get_version(request, document, version_number)
    return _act(
        request,
        document,
        lambda: services.submit_for_review(version, actor=request.user),
        f"Version {version.number} is in review: someone with authority approves it or sends "
        "it back.",
    )


@org_view(Access.DECIDE)
@require_POST
def document_approve(request, document_id: int, version_number: int):
    document = get_document(request, document_id)
    version = get_version(request, document, version_number)
    return _act(
        request,
        document,
        lambda: services.approve_version(version, actor=request.user),
        f"Version {version.number} approved: it is the version in force.",
    )


@org_view(Access.DECIDE)
@require_POST
def document_refuse(request, document_id: int, version_number: int):
    document = get_document(request, document_id)
    version = get_version(request, document, version_number)
    reason = request.POST.get("reason", "")[:10_000]
    return _act(
        request,
        document,
        lambda: services.refuse_version(version, actor=request.user, reason=reason),
        f"Version {version.number} sent back to draft, with your reason.",
    )


# Every member reads and acknowledges the documents meant for them (7.3), viewers included: the
# acknowledgement records their own reading, nothing else.
@org_view(Access.READ)
@require_POST
def document_acknowledge(request, document_id: int):
    document = get_document(request, document_id)
    if document.approved_version is None:
        messages.error(request, "No approved version to acknowledge yet.")
        return redirect(detail_url(request, document))
    version = document.approved_version
    response = _act(
        request,
        document,
        lambda: services.acknowledge(version, actor=request.user),
        f"Recorded: you read version {version.number} of “{document.title}”.",
    )
    if request.POST.get("next") == "to-read":
        return redirect("document_to_read", org=request.org.slug)
    return response


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def document_review(request, document_id: int):
    document = get_document(request, document_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.mark_reviewed(
                document,
                actor=request.user,
                note=form.cleaned_data["note"],
                next_review=form.cleaned_data["next_review"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Review recorded; the next is due {review.next_review:%Y-%m-%d}."
            )
            return redirect(detail_url(request, document))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_review.html",
        {"form": form, "document": document},
        status=status,
    )


@org_view(Access.DECIDE)
@require_http_methods(["GET", "POST"])
def document_retire(request, document_id: int):
    """Retire a document, after a confirmation page that asks why."""
    document = get_document(request, document_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retire_document(
                document, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{document.title}” is retired.")
            return redirect(detail_url(request, document))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "documents/document_retire.html",
        {"form": form, "document": document},
        status=status,
    )
