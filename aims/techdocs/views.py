"""Pages of technical documentation and information for users (A.6.2.7, A.8.2)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import person_label
from aims.core.pages import (
    act,
    confirm_delete,
    csv_download,
    form_page,
    is_filtered,
    with_organization,
)
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import TechnicalDocumentFilterForm, TechnicalDocumentForm
from .models import ANNEX_IV_SECTIONS, Kind, Status, TechnicalDocument


def get_document(request, doc_id: int) -> TechnicalDocument:
    document = get_object_or_404(
        TechnicalDocument.objects.for_org(request.org).select_related(
            "system", "author", "approved_by", "submitted_by"
        ),
        pk=doc_id,
    )
    document.organization = request.org
    document.system.organization = request.org
    return document


def filtered_documents(request):
    form = TechnicalDocumentFilterForm(request.GET, organization=request.org)
    documents = (
        TechnicalDocument.objects.for_org(request.org)
        .filtered(**form.filters())
        .for_list()
        .order_by("system__name", "kind", "-number")
    )
    return documents, form


@org_view()
def techdoc_list(request):
    documents, filters = filtered_documents(request)
    page = paginate(request, documents)
    context = {
        "page_obj": page,
        "documents": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("techdoc_list", kwargs={"org": request.org.slug}),
    }
    return render(request, "techdocs/techdoc_list.html", context)


@org_view()
def techdoc_export_csv(request):
    documents, _ = filtered_documents(request)
    documents = documents.prefetch_related("clauses", "controls", "training_datasets")
    response, writer = csv_download("technical-documentation", request.org)
    writer.writerow(
        [
            "Number",
            "AI system",
            "System version",
            "Kind",
            "Version",
            "Status",
            "Title",
            "Author",
            "Approved by",
            "Approved at",
            "Missing Annex IV sections",
            "Data sets",
            "Audience",
            "Published at",
            "Channel",
            "Clauses and controls",
        ]
    )
    for document in documents:
        writer.writerow(
            [
                document.pk,
                document.system.name,
                document.system_version,
                document.get_kind_display(),
                document.number,
                document.get_status_display(),
                document.title,
                person_label(document.author) if document.author else "",
                person_label(document.approved_by) if document.approved_by else "",
                document.approved_at.date().isoformat() if document.approved_at else "",
                "; ".join(_missing(document)),
                "; ".join(d.name for d in document.training_datasets.all()),
                document.get_audience_display() if document.audience else "",
                document.published_url,
                document.channel,
                "; ".join(document.requirement_refs()),
            ]
        )
    return response


def _missing(document: TechnicalDocument) -> list[str]:
    """Missing sections, reading the prefetched data sets (no query per row)."""
    if not document.is_technical:
        return []
    has_sets = bool(document.training_datasets.all())
    return [
        label
        for name, label in ANNEX_IV_SECTIONS
        if not (getattr(document, name).strip() or (name == "training_data" and has_sets))
    ]


def document_form_page(request, document: TechnicalDocument):
    form = TechnicalDocumentForm(
        request.POST if request.method == "POST" else None,
        instance=document,
        organization=request.org,
    )

    creating = document.pk is None

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        services.save_draft(
            changed,
            actor=request.user,
            datasets=list(form.cleaned_data.get("training_datasets") or []),
            clauses=list(form.cleaned_data["clauses"]),
            # a new document with no control chosen addresses the kind's default one
            controls=list(form.cleaned_data["controls"]) or (None if creating else []),
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="techdocs/techdoc_form.html",
        saved=lambda changed: f"{changed} saved as a draft.",
        context={"document": document},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def techdoc_create(request):
    document = TechnicalDocument(organization=request.org)
    system_id = request.GET.get("system", "")
    if request.method == "GET" and system_id.isascii() and system_id.isdigit():
        system = AISystem.objects.for_org(request.org).filter(pk=int(system_id)).first()
        if system is not None:
            document.system = system
            document.system_version = system.version
    if request.GET.get("kind") in Kind.values:
        document.kind = request.GET["kind"]
    return document_form_page(request, document)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def techdoc_edit(request, doc_id: int):
    document = get_document(request, doc_id)
    if not document.is_draft:
        messages.error(
            request,
            f"Version {document.number} is {document.get_status_display().lower()}: only a draft "
            "is edited." + (" Start a new version from it." if document.is_fixed else ""),
        )
        return redirect(document.get_absolute_url())
    return document_form_page(request, document)


@org_view()
def techdoc_detail(request, doc_id: int):
    document = get_document(request, doc_id)
    history = with_organization(
        TechnicalDocument.objects.filter(system=document.system, kind=document.kind)
        .select_related("author", "approved_by")
        .order_by("-number"),
        request.org,
    )
    live = document.is_technical and not document.is_fixed
    context = {
        "document": document,
        "system": document.system,
        "history": history,
        "datasets": with_organization(document.training_datasets.all(), request.org),
        "clauses": document.clauses.all(),
        "controls": document.controls.all(),
        "missing": document.missing_sections(),
        "gaps": services.submission_gaps(document) if document.is_draft else {},
        # a draft shows the live results; an approved version the ones fixed into it
        "results": services.evaluation_results(document.system)
        if live
        else document.evaluation_results,
        "live_results": live,
        "approval_refusal": services.approval_refusal(document, request.user)
        if document.status == Status.IN_REVIEW
        else "",
        "can_decide": request.membership.can(Access.DECIDE),
        "open_version": services.open_version(document.system, document.kind)
        if document.is_fixed
        else None,
        "current_version": document.system.version,
        "events": AuditEvent.objects.for_record(document)[:20],
        "print": request.GET.get("print") == "1",
    }
    return render(request, "techdocs/techdoc_detail.html", context)


def _act(request, document, action, success: str, *, to=None):
    return act(request, action, success, back=document.get_absolute_url(), to=to)


@org_view(Access.CONTRIBUTE)
@require_POST
def techdoc_submit(request, doc_id: int):
    document = get_document(request, doc_id)
    return _act(
        request,
        document,
        lambda: services.submit_for_review(document, actor=request.user),
        f"Version {document.number} submitted for review.",
    )


@org_view(Access.DECIDE)
@require_POST
def techdoc_approve(request, doc_id: int):
    document = get_document(request, doc_id)
    return _act(
        request,
        document,
        lambda: services.approve(document, actor=request.user),
        f"Version {document.number} approved.",
    )


@org_view(Access.DECIDE)
@require_POST
def techdoc_send_back(request, doc_id: int):
    document = get_document(request, doc_id)
    reason = request.POST.get("reason", "")[:500]
    return _act(
        request,
        document,
        lambda: services.send_back(document, actor=request.user, reason=reason),
        f"Version {document.number} sent back to draft.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def techdoc_new_version(request, doc_id: int):
    document = get_document(request, doc_id)

    def start():
        draft = services.new_version(document, actor=request.user)
        draft.organization = request.org
        return draft

    return _act(
        request,
        document,
        start,
        "New draft started from this version.",
        to=lambda draft: reverse(
            "techdoc_edit", kwargs={"org": request.org.slug, "doc_id": draft.pk}
        ),
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def techdoc_delete(request, doc_id: int):
    document = get_document(request, doc_id)
    if request.method == "GET" and not document.is_draft:
        messages.error(
            request,
            f"Version {document.number} is {document.get_status_display().lower()}: only a "
            "draft is deleted; the others stay for audits.",
        )
        return redirect(document.get_absolute_url())
    return confirm_delete(
        request,
        document,
        delete=services.delete_draft,
        what="draft",
        back=document.get_absolute_url(),
        done=reverse("techdoc_list", kwargs={"org": request.org.slug}),
        consequence="Only a draft is deleted; submitted and approved versions stay for audits.",
    )
