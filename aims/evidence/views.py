"""Evidence pages: the register, recording files and links, revisions, and verified downloads."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.areas import record_links
from aims.core.forms import CHOICE_LIMIT, QuickSelect, add_service_errors
from aims.core.pages import record_urls
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import storage
from .forms import EvidenceCreateForm, EvidenceEditForm, RevisionForm
from .models import Evidence, EvidenceFile, Integrity, Kind, Revision, State
from .services import (
    RECORDED,
    add_revision,
    check_run_of,
    create_evidence,
    delete_evidence,
    recheck,
    sharing_in_organization,
    update_evidence,
)
from .templatetags.evidence_tags import integrity_badges, state_badge

log = logging.getLogger(__name__)

PAGE_SIZE = 25
# Content types a browser could render or run; they are sent as plain bytes instead.
ACTIVE_TYPES = ("html", "xml", "javascript", "svg")


def _linked(links):
    """Prefetch the records of each kind of link, as its area orders and reads them."""
    return [Prefetch(link.name, queryset=link.queryset()) for link in links]


def _link_cells(ids: list[int], links) -> dict[str, dict[int, list[tuple[str, str]]]]:
    """For each kind of link, the records each piece of evidence in ``ids`` supports, as
    ``(short, described)`` in the area's order: two queries a kind (which records, then
    them), rather than Django's prefetching, which costs three times as much for a page."""
    cells: dict[str, dict[int, list[tuple[str, str]]]] = {}
    for link in links:
        pairs = (
            Evidence.objects.filter(pk__in=ids, **{f"{link.name}__isnull": False})
            .order_by()
            .values_list("pk", f"{link.name}__pk")
        )
        wanted: dict[int, list[int]] = {}
        for evidence_id, record_id in pairs:
            wanted.setdefault(record_id, []).append(evidence_id)
        found = cells[link.name] = {}
        for record in link.queryset().filter(pk__in=wanted):  # in the area's order
            cell = (link.short(record), link.describe(record))
            for evidence_id in wanted[record.pk]:
                found.setdefault(evidence_id, []).append(cell)
    return cells


def _row(item: Evidence, page_url: str, today) -> str:
    """A row of the list, drawn here with ``format_html`` (every value escaped): drawn by the
    template, the lookups and tags of fifty rows cost some 3 ms of a page that should take
    under 15."""
    creator = item.created_by
    state = item.state(today)
    badges = [] if state == State.CURRENT else [state_badge(state)]
    if item.files_altered or item.files_missing:
        badges.append(integrity_badges(item.files_altered, item.files_missing))
    return format_html(
        '<tr>\n      <td><a href="{}">{}</a>{}</td>\n      <td>{}</td>\n'
        '      <td class="nowrap">{}</td>\n      <td class="nowrap">{}</td>\n      {}\n'
        '      <td class="num">{}</td>\n'
        '      <td class="small">{}<br><span class="muted">{}</span></td>\n    </tr>',
        page_url,
        item.title,
        format_html_join("", " {}", ((badge,) for badge in badges)),
        item.get_kind_display(),
        item.effective_from.isoformat(),
        item.valid_until.isoformat() if item.valid_until else NO_EXPIRY,
        format_html_join("", "{}", ((_cell(found),) for found in item.link_cells)),
        format_html("r{}", item.latest_revision_number) if item.latest_revision_number else DASH,
        (creator.get_full_name() or creator.get_username()) if creator else "",
        timezone.localtime(item.created_at).date().isoformat(),
    )


NO_EXPIRY = format_html('<span class="muted">{}</span>', "No expiry")
DASH = format_html('<span class="muted">{}</span>', "—")


def _cell(records: list[tuple[str, str]], shown: int = 4) -> str:
    """A list cell of linked records: the first few short ids and how many more, every record
    described in its title."""
    if not records:
        return format_html('<td class="small">{}</td>', DASH)
    more = len(records) - shown
    return format_html(
        '<td class="small"><span title="{}">{}{}</span></td>',
        "; ".join(text for _, text in records),
        ", ".join(short for short, _ in records[:shown]),
        f" +{more}" if more > 0 else "",
    )


def _shortened(text: str, most: int = 50) -> str:
    """``text`` in at most ``most`` characters, an ellipsis ending a shortened one (as the
    ``truncatechars`` filter does, for plain text, without its cost a choice)."""
    return text if len(text) <= most else f"{text[: most - 1]}…"


def _link_filters(request, links) -> list[dict]:
    """The list's filter by each kind of linked record that has one: its parameter, the value
    asked for and the records to choose from (a text box past CHOICE_LIMIT of them)."""
    filters = []
    for link in links:
        if not link.filter:
            continue
        value = request.GET.get(link.filter, "").strip()[:200]
        records = link.choices(request.org)
        # Whether there are too many to choose from, asked first: reading 201 of 100,000 risks
        # to find out costs more than the whole page should.
        as_text = records[CHOICE_LIMIT : CHOICE_LIMIT + 1].exists()
        select = None
        if not as_text:
            choices = [(str(pk), _shortened(text)) for pk, text in link.described(request.org)]
            select = QuickSelect(choices=[("", link.any_label or link.label), *choices]).render(
                link.filter, value, {"aria-label": link.label}
            )
        filters.append(
            {
                "link": link,
                "param": link.filter,
                "value": value,
                "select": select,
                "as_text": as_text,
            }
        )
    return filters


@org_view()
def evidence_list(request):
    today = timezone.localdate()
    links = record_links()
    columns = [link for link in links if link.in_list]
    evidence = (
        Evidence.objects.for_org(request.org)
        .select_related("created_by")
        .with_latest_revision_number()
        .with_file_damage()
        .order_by("-effective_from", "-pk")
    )
    q = request.GET.get("q", "").strip()[:200]
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    link_filters = _link_filters(request, links)
    damaged = request.GET.get("damaged") == "1"
    linked = {}
    for found in link_filters:
        value, link = found["value"], found["link"]
        if value.isdigit():
            linked[f"{link.name}__pk"] = value
        elif value and link.by_text:
            linked[f"{link.name}__{link.by_text}"] = value
    evidence = evidence.filtered(
        q=q, state=state, kind=kind, damaged=True if damaged else None, linked=linked, today=today
    )
    page = paginate(request, evidence, PAGE_SIZE)
    url = record_urls("evidence_detail", request.org, "evidence_id")
    cells = _link_cells([item.pk for item in page.object_list], columns)
    rows = []
    for item in page.object_list:
        item.link_cells = [cells[link.name].get(item.pk, []) for link in columns]
        rows.append(_row(item, url(item.pk), today))
    filtering = bool(q or state or kind or damaged or any(f["value"] for f in link_filters))
    return render(
        request,
        "evidence/evidence_list.html",
        {
            "page_obj": page,
            "rows": rows,
            "querystring": query_without_page(request),
            "filtering": filtering,
            "has_any": filtering or page.paginator.count > 0,
            "f": {
                "q": q,
                "state": state,
                "kind": kind,
                "damaged": damaged,
            },
            "link_filters": link_filters,
            "link_columns": columns,
            "damaged_count": Evidence.objects.for_org(request.org).damaged().count(),
            "state_choices": State.choices,
            "kind_choices": Kind.choices,
        },
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def evidence_create(request):
    evidence = Evidence(organization=request.org)
    if request.method == "POST":
        form = EvidenceCreateForm(
            request.POST, request.FILES, instance=evidence, organization=request.org
        )
        if form.is_valid():
            try:
                create_evidence(
                    form.instance,
                    actor=request.user,
                    files=form.cleaned_data["files"],
                    links=form.links(),
                )
            except ValidationError as exc:
                form.instance.pk = None
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Recorded \u201c{evidence.title}\u201d.")
                return redirect("evidence_detail", org=request.org.slug, evidence_id=evidence.pk)
    else:
        initial = {
            name: request.GET.getlist(name)
            for name in ("soa_entries", "risks", "systems", "clauses")
            if request.GET.getlist(name)
        }
        form = EvidenceCreateForm(instance=evidence, organization=request.org, initial=initial)
    return render(request, "evidence/evidence_form.html", {"form": form, "creating": True})


def _evidence(request, evidence_id: int) -> Evidence:
    return get_object_or_404(
        Evidence.objects.for_org(request.org).select_related("created_by"), pk=evidence_id
    )


@org_view()
def evidence_detail(request, evidence_id: int):
    links = record_links()
    evidence = get_object_or_404(
        Evidence.objects.for_org(request.org)
        .select_related("created_by", "check_run__definition")
        .prefetch_related(
            *_linked(links),
            Prefetch(
                "revisions",
                queryset=Revision.objects.select_related("created_by").prefetch_related(
                    Prefetch("files", queryset=EvidenceFile.objects.select_related("blob"))
                ),
            ),
        ),
        pk=evidence_id,
    )
    supports = [
        (
            link.label,
            [
                (link.describe(record), link.url_of(record, request.org))
                for record in getattr(evidence, link.name).all()
            ],
        )
        for link in links
    ]
    files = evidence.stored_files()
    shared = sharing_in_organization(evidence)
    for file in files:
        file.shared_with = shared.get(file.blob_id, [])
    damaged = [file for file in files if file.blob.damaged]
    return render(
        request,
        "evidence/evidence_detail.html",
        {
            "evidence": evidence,
            "supports": supports,
            "state": evidence.state(),
            "revisions": evidence.revisions.all(),
            "damaged_files": damaged,
            "files_altered": any(f.blob.integrity == Integrity.ALTERED for f in damaged),
            "files_missing": any(f.blob.integrity == Integrity.MISSING for f in damaged),
            "last_checked": max(
                (f.blob.checked_at for f in files if f.blob.checked_at), default=None
            ),
            "events": AuditEvent.objects.for_record(evidence)[:20],
            "check_run": check_run_of(evidence),
        },
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def evidence_edit(request, evidence_id: int):
    evidence = _evidence(request, evidence_id)
    form = EvidenceEditForm(request.POST or None, instance=evidence, organization=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            update_evidence(form.instance, actor=request.user, links=form.links())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved \u201c{evidence.title}\u201d.")
            return redirect("evidence_detail", org=request.org.slug, evidence_id=evidence.pk)
    return render(request, "evidence/evidence_form.html", {"form": form, "evidence": evidence})


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def evidence_revision_create(request, evidence_id: int):
    evidence = _evidence(request, evidence_id)
    if evidence.kind != Kind.FILE or check_run_of(evidence) is not None:
        messages.error(
            request,
            RECORDED
            if evidence.kind == Kind.FILE
            else "Only file evidence has revisions; edit the link instead.",
        )
        return redirect("evidence_detail", org=request.org.slug, evidence_id=evidence.pk)
    form = RevisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = add_revision(
                evidence,
                actor=request.user,
                files=data["files"],
                note=data["note"],
                effective_from=data["effective_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Uploaded revision {revision.number}.")
            return redirect("evidence_detail", org=request.org.slug, evidence_id=evidence.pk)
    latest = evidence.latest_revision()
    return render(
        request,
        "evidence/revision_form.html",
        {"form": form, "evidence": evidence, "latest": latest},
    )


@org_view()
def evidence_download(request, evidence_id: int, file_id: int):
    stored = get_object_or_404(
        EvidenceFile.objects.select_related("blob", "revision__evidence"),
        pk=file_id,
        revision__evidence_id=evidence_id,
        revision__evidence__organization=request.org,
    )
    sha = stored.blob.sha256
    # Re-hashed before it is sent; damage found here is recorded and flagged at once.
    if recheck(stored.blob) != Integrity.INTACT:
        reason = stored.blob.get_integrity_display()
        log.error(
            "Evidence file integrity failure: org=%s evidence=%s file=%s sha256=%s: %s",
            request.org.slug,
            evidence_id,
            file_id,
            sha,
            reason,
        )
        return render(
            request,
            "evidence/integrity_error.html",
            {"stored": stored, "evidence": stored.revision.evidence, "reason": reason},
            status=409,
        )
    content_type = stored.content_type or "application/octet-stream"
    if any(word in content_type.lower() for word in ACTIVE_TYPES):
        content_type = "application/octet-stream"
    response = FileResponse(
        storage.path_for(sha).open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Content-SHA256"] = sha
    response["Cache-Control"] = "private, no-store"
    return response


@org_view(Access.MANAGE)
@require_POST
def evidence_delete(request, evidence_id: int):
    evidence = _evidence(request, evidence_id)
    title = evidence.title
    try:
        delete_evidence(evidence, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("evidence_detail", org=request.org.slug, evidence_id=evidence.pk)
    messages.success(
        request,
        f"Deleted \u201c{title}\u201d. Its files stay in the content store; the audit trail "
        "keeps the record of the deletion.",
    )
    return redirect("evidence_list", org=request.org.slug)
