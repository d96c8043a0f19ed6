"""Pages of the EU AI Act area: the overview of the organization's AI systems under the Act, one
system's page (its classification, obligations, records and fine exposure), the classification
questionnaire, and a classification's own page, where it is signed.

The tier, duties and reasons are never typed: the questionnaire's answers give them
(:mod:`aims.euaiact.questionnaire`), the service stores and signs them (:mod:`.services`), and
the obligations are computed from the signed classification and the records
(:mod:`.obligations`). The records the Act adds have their pages in ``record_views.py``, the
regulatory watch in ``watch_views.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import act, confirm_delete, csv_download, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem, OrganizationRole, RiskTier
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.cache import cached_for

from . import exposure as fines
from . import obligations as duties
from . import questionnaire as q
from . import services
from .forms import ActProfileForm, ClassificationForm, OverviewFilterForm, State
from .kinds import BY_SLUG
from .models import BASIS_FIELDS, Classification, ClassificationStatus
from .record_views import records_context

# The tiers whose obligations the inventory's system page counts.
COUNTED_TIERS = (RiskTier.PROHIBITED, RiskTier.HIGH, RiskTier.LIMITED)


def get_system(request, system_id: int) -> AISystem:
    system = get_object_or_404(AISystem.objects.for_org(request.org), pk=system_id)
    system.organization = request.org
    return system


def get_classification(request, system: AISystem, classification_id: int) -> Classification:
    found = get_object_or_404(
        Classification.objects.filter(system=system).select_related("prepared_by", "signed_by"),
        pk=classification_id,
    )
    found.organization, found.system = request.org, system
    return found


def versions_of(request, system: AISystem) -> list[Classification]:
    """Every classification of the system, newest first, ready for their URLs (one query)."""
    found = list(
        Classification.objects.filter(system=system).select_related("prepared_by", "signed_by")
    )
    for classification in found:
        classification.organization, classification.system = request.org, system
    return found


def act_url(organization, system: AISystem, anchor: str = "") -> str:
    url = reverse("act_system", kwargs={"org": organization.slug, "system_id": system.pk})
    return f"{url}#{anchor}" if anchor else url


def tier_label(tier: str) -> str:
    return RiskTier(tier).label if tier in RiskTier.values else tier


def exposure_view(found: fines.Exposure | None) -> dict | None:
    """What the pages show of an exposure: the amount in words, and its formula."""
    if found is None:
        return None
    amount = found.amount
    return {
        "amount": fines.euros(amount) if amount is not None else "",
        "at_least": found.at_least,
        "formula": found.formula,
        "article": found.cap.article,
        "what": found.cap.what,
    }


def turnover_text(profile) -> str:
    return fines.euros(profile.annual_turnover) if profile.annual_turnover is not None else ""


def person(user) -> str:
    return person_label(user) if user is not None else ""


# --- Overview -----------------------------------------------------------------------------------


def _stale_signed():
    """The signed classification of the outer system, when the system's purpose, intended use,
    foreseeable misuse or role differs from what it was judged on (in SQL, for the filter; the
    rows say the same with :meth:`Classification.changed_basis`)."""
    judged = {f"judged_{name}": KeyTextTransform(name, "basis") for name in BASIS_FIELDS}
    same = Q(**{f"judged_{name}": OuterRef(name) for name in BASIS_FIELDS})
    return (
        Classification.objects.signed()
        .filter(system=OuterRef("pk"))
        .annotate(**judged)
        .exclude(same)
    )


def filtered_systems(request):
    """The organization's systems, each with the id of its signed classification and the number
    of its draft (one query for a page), narrowed by the overview's filters."""
    form = OverviewFilterForm(request.GET)
    chosen = form.filters()
    signed = Classification.objects.signed().filter(system=OuterRef("pk"))
    drafts = Classification.objects.filter(system=OuterRef("pk"), status=ClassificationStatus.DRAFT)
    found = (
        AISystem.objects.for_org(request.org)
        .filtered(q=chosen["q"], tier=chosen["tier"])
        .annotate(
            signed_id=Subquery(signed.values("pk")[:1]),
            draft_number=Subquery(drafts.values("number")[:1]),
        )
        .order_by("name", "pk")
    )
    state = chosen["state"]
    if state == State.NONE:
        found = found.filter(signed_id__isnull=True, draft_number__isnull=True)
    elif state == State.DRAFT:
        found = found.filter(signed_id__isnull=True, draft_number__isnull=False)
    elif state == State.SIGNED:
        found = found.filter(signed_id__isnull=False)
    elif state == State.STALE:
        found = found.filter(Exists(_stale_signed()))
    return found, form


def with_classifications(systems: list[AISystem], organization) -> list[AISystem]:
    """Give each (annotated) system its signed classification, fetched for all in one query,
    and the fields changed since it was signed."""
    ids = [system.signed_id for system in systems if system.signed_id]
    signed = {
        c.system_id: c
        for c in Classification.objects.filter(pk__in=ids).select_related("signed_by")
    }
    for system in systems:
        system.organization = organization
        system.signed = signed.get(system.pk)
        system.changed = system.signed.changed_basis(system) if system.signed else []
        if system.signed is not None:
            system.signed.organization, system.signed.system = organization, system
    return systems


def tier_counts(organization) -> list[dict]:
    """The systems in use (not retired) per tier, in the tiers' order: one query, which reads
    every system, once per version of the organization's data (aims/trail/cache.py)."""

    def count() -> dict[str, int]:
        return dict(
            AISystem.objects.for_org(organization)
            .active()
            .order_by()
            .values_list("risk_tier")
            .annotate(n=Count("pk"))
        )

    found = cached_for(organization, "act-tier-counts", count)
    return [{"value": v, "label": label, "count": found.get(v, 0)} for v, label in RiskTier.choices]


def worst_exposure(tiers: list[dict], profile) -> tuple[fines.Exposure | None, list[str]]:
    """The highest fine cap among the tiers of the systems in use, and the tiers it is for."""
    in_use = [t for t in tiers if t["count"]]
    worst = fines.worst([t["value"] for t in in_use], profile)
    if worst is None:
        return None, []
    return worst, [
        t["label"]
        for t in in_use
        if (found := fines.exposure(t["value"], profile)) is not None and found.cap == worst.cap
    ]


@org_view()
def overview(request):
    found, filters = filtered_systems(request)
    page = paginate(request, found)
    systems = with_classifications(list(page.object_list), request.org)
    tiers = tier_counts(request.org)
    profile = services.profile_of(request.org)
    worst, worst_tiers = worst_exposure(tiers, profile)
    context = {
        "page_obj": page,
        "systems": systems,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("act_overview", kwargs={"org": request.org.slug}),
        "tiers": tiers,
        "in_use": sum(t["count"] for t in tiers),
        "worst": exposure_view(worst),
        "worst_tiers": worst_tiers,
        "profile": profile,
        "turnover": turnover_text(profile),
        "total": (
            AISystem.objects.for_org(request.org).count()
            if is_filtered(request)
            else page.paginator.count  # every system: counted for the pages already
        ),
    }
    return render(request, "euaiact/overview.html", context)


def classification_state(system: AISystem) -> str:
    """How the system is classified, in words, for the export."""
    if system.signed is not None:
        return "Signed, to redo" if system.changed else "Signed"
    if system.draft_number:
        return "Draft only"
    if system.risk_tier != RiskTier.UNCLASSIFIED:
        return "Not classified: tier set by hand"
    return "Not classified"


@org_view()
def overview_export_csv(request):
    found, _ = filtered_systems(request)
    response, writer = csv_download("eu-ai-act-systems", request.org)
    writer.writerow(
        [
            "AI system",
            "Short id",
            "Stage",
            "Risk tier",
            "Classification",
            "Version",
            "Roles",
            "Transparency duties",
            "Art. 6(3) exception",
            "Reasons",
            "Signed by",
            "Signed on",
            "Authority of the signer",
            "Stale: changed since signed",
            "Draft in progress",
        ]
    )
    for chunk_start in range(0, found.count(), 500):
        systems = with_classifications(list(found[chunk_start : chunk_start + 500]), request.org)
        for system in systems:
            signed = system.signed
            writer.writerow(
                [
                    system.name,
                    system.slug,
                    system.get_stage_display(),
                    system.get_risk_tier_display(),
                    classification_state(system),
                    signed.number if signed else "",
                    "; ".join(signed.role_labels()) if signed else "",
                    "; ".join(signed.duty_labels()) if signed else "",
                    signed.exception_label() if signed else "",
                    "; ".join(f"{r.article}: {r.text}" for r in signed.reason_list())
                    if signed
                    else "",
                    person(signed.signed_by) if signed else "",
                    signed.signed_at.date().isoformat() if signed and signed.signed_at else "",
                    signed.signer_authority if signed else "",
                    ", ".join(system.changed),
                    system.draft_number or "",
                ]
            )
    return response


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    """The turnover and size the fine exposure is computed from (Art. 99)."""
    profile = services.profile_of(request.org)
    form = ActProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The organization's profile for the fine exposure is saved.")
            return redirect("act_overview", org=request.org.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, "euaiact/profile.html", {"form": form}, status=status)


# --- One system ---------------------------------------------------------------------------------


# Who an obligation falls on, as the system page groups them.
WHO = {q.PROVIDER: "As provider", q.DEPLOYER: "As deployer", "everyone": "For every operator"}


def lower_first(label: str) -> str:
    """ "Human oversight measure" -> "human oversight measure"; "EU declaration" stays."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def obligation_groups(system: AISystem, found, *, can_edit: bool) -> list[dict]:
    """The obligations by whom they fall on (in the order the first of each comes), each with
    the link to add the record of this area that meets it."""
    groups: dict[str, dict] = {}
    for obligation in found:
        who = obligation.spec.who
        group = groups.setdefault(who, {"label": WHO.get(who, who), "rows": []})
        kind = BY_SLUG.get(obligation.spec.record)
        add = None
        if kind is not None and can_edit:
            add = {
                "label": lower_first(kind.label),
                "url": reverse(
                    kind.url_name("create"),
                    kwargs={"org": system.organization.slug, "system_id": system.pk},
                ),
            }
        group["rows"].append({"obligation": obligation, "add": add})
    return list(groups.values())


@org_view()
def system_page(request, system_id: int):
    system = get_system(request, system_id)
    versions = versions_of(request, system)
    signed = next((c for c in versions if c.status == ClassificationStatus.SIGNED), None)
    draft = next((c for c in versions if c.status == ClassificationStatus.DRAFT), None)
    can_edit = request.membership.can(Access.CONTRIBUTE)
    basis = duties.basis_of(system, signed) if signed else duties.basis_of(system)
    found = duties.obligations_of(system, basis)
    profile = services.profile_of(request.org)
    context = {
        "can_edit": can_edit,
        "system": system,
        "versions": versions,
        "signed": signed,
        "draft": draft,
        "changed": signed.changed_basis(system) if signed else [],
        "reasoning": signed.answers.get("exception_reasoning", "") if signed else "",
        "obligations": obligation_groups(system, found, can_edit=can_edit),
        "obligation_count": len(found),
        "counts": duties.summary(found),
        "exposure": exposure_view(fines.exposure(system.risk_tier, profile)),
        "information": exposure_view(fines.information_exposure(profile)),
        "profile": profile,
        # What the records' partial shows (record_views): every kind's records, the recourse
        # channel, the requests still open, and whether the member may add to them.
        **records_context(system, request),
    }
    return render(request, "euaiact/system.html", context)


# --- The questionnaire --------------------------------------------------------------------------


def roles_of(system: AISystem) -> list[str]:
    """The roles a first classification starts from: the system's role in the inventory, and
    the operator roles of its context (provider and deployer only: the questionnaire's)."""
    roles = {q.DEPLOYER if system.organization_role == OrganizationRole.DEPLOYER else q.PROVIDER}
    context_role = getattr(system, "context_role", None)  # None when the context names none
    if context_role is not None:
        roles.update(r for r in context_role.eu_roles or [] if r in (q.PROVIDER, q.DEPLOYER))
    return [o.code for o in q.ROLES if o.code in roles]


def preview_of(form: ClassificationForm, answers: dict | None = None) -> dict:
    """The tier, reasons and duties the answers give so far, or what is still wrong with them;
    never saved."""
    if answers is None:
        if not form.is_valid():
            return {"problems": [str(e) for errors in form.errors.values() for e in errors]}
        answers = form.answers()
    try:
        outcome = q.classify(answers)
    except q.AnswerError as error:
        return {"problems": list(error.errors.values())}
    return {
        "tier": outcome.tier,
        "tier_label": tier_label(outcome.tier),
        "reasons": outcome.reasons,
        "fria": outcome.fria,
        "notes": outcome.notes,
    }


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def classify(request, system_id: int):
    """The questionnaire: the draft's answers, else the signed classification's, else the roles
    the system already has; saved as the system's draft, which someone with authority signs."""
    system = get_system(request, system_id)
    draft = services.current_draft(system)
    signed = services.current_classification(system)
    start = draft or signed
    answers = dict(start.answers) if start else {"roles": roles_of(system)}
    initial = ClassificationForm.initial_from(answers)
    initial["note"] = draft.note if draft else ""
    posted = request.method == "POST"
    form = ClassificationForm(request.POST if posted else None, initial=initial)
    if posted and request.POST.get("preview"):
        # The live preview as the person answers: only its region, nothing saved.
        return render(request, "euaiact/_cls_preview.html", {"preview": preview_of(form)})
    if posted and form.is_valid():
        try:
            saved = services.save_draft(
                system, form.answers(), actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved.organization, saved.system = request.org, system
            messages.success(
                request,
                f"Draft classification {saved.number} saved: {tier_label(saved.tier)}. It counts "
                "once someone with decision authority signs it.",
            )
            return redirect(saved.get_absolute_url())
    context = {
        "system": system,
        "form": form,
        "questions": form.questions(),
        "draft": draft,
        "signed": signed,
        "preview": preview_of(form) if posted else preview_of(form, answers),
    }
    return render(request, "euaiact/classify.html", context, status=422 if posted else 200)


# --- One classification -------------------------------------------------------------------------


def answer_rows(classification: Classification) -> list[dict]:
    """Each question with the labels of the answers chosen (codes the questions no longer
    offer are shown as stored)."""
    rows = []
    for name, default in q.EMPTY.items():
        value = classification.answers.get(name, default)
        if isinstance(default, bool):
            chosen = ["Yes" if value else "No"]
        elif isinstance(default, list):
            chosen = [_option_text(name, code) for code in value]
        elif name in q.OPTIONS:
            chosen = [_option_text(name, value)]
        else:
            chosen = [value] if value else []
        rows.append({"name": name, "question": q.QUESTIONS[name][0], "chosen": chosen})
    return rows


def _option_text(question: str, code: str) -> str:
    try:
        found = q.option(question, code)
    except KeyError:
        return code
    return f"{found.label} ({found.article})" if found.article else found.label


def basis_labels(classification: Classification) -> list[tuple[str, str]]:
    """What the system said when the classification was signed, each field by its label."""
    found = []
    for name in BASIS_FIELDS:
        if name not in classification.basis:
            continue
        value = classification.basis[name]
        if name == "organization_role" and value in OrganizationRole.values:
            value = OrganizationRole(value).label
        found.append((str(AISystem._meta.get_field(name).verbose_name), value))
    return found


@org_view()
def classification_detail(request, system_id: int, classification_id: int):
    system = get_system(request, system_id)
    classification = get_classification(request, system, classification_id)
    is_draft = classification.status == ClassificationStatus.DRAFT
    context = {
        "system": system,
        "classification": classification,
        "answers": answer_rows(classification),
        "reasoning": classification.answers.get("exception_reasoning", ""),
        "is_draft": is_draft,
        "refusal": services.sign_refusal(classification, request.user) if is_draft else "",
        "changed": classification.changed_basis(system)
        if classification.status == ClassificationStatus.SIGNED
        else [],
        "basis_labels": basis_labels(classification),
        "versions": versions_of(request, system),
    }
    return render(request, "euaiact/classification_detail.html", context)


@org_view(Access.DECIDE)
@require_POST
def classification_sign(request, system_id: int, classification_id: int):
    """Sign the draft (the service asks for decision authority and says why it refuses)."""
    system = get_system(request, system_id)
    classification = get_classification(request, system, classification_id)
    return act(
        request,
        lambda: services.sign(classification, actor=request.user),
        f"Classification {classification.number} signed: {system.name} is "
        f"{tier_label(classification.tier).lower()} under the EU AI Act.",
        back=classification.get_absolute_url(),
        to=lambda _: act_url(request.org, system, "classification"),
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def classification_delete(request, system_id: int, classification_id: int):
    system = get_system(request, system_id)
    classification = get_classification(request, system, classification_id)
    if classification.status != ClassificationStatus.DRAFT:
        messages.error(
            request,
            f"Classification {classification.number} is "
            f"{classification.get_status_display().lower()}: a signed classification is kept as "
            "the record the Act asks for. Classify the system again to replace it.",
        )
        return redirect(classification.get_absolute_url())
    return confirm_delete(
        request,
        classification,
        delete=services.delete_draft,
        what="draft classification",
        back=classification.get_absolute_url(),
        done=act_url(request.org, system, "classification"),
        consequence="The answers of this draft are lost; the signed classification, if any, "
        "stays in force.",
    )


# --- The section of the inventory's system page -------------------------------------------------


def system_section_context(system: AISystem, request) -> dict:
    """The system's place under the Act for its inventory page: its classification (one
    query) and, for a tier with obligations, how many are met."""
    current = list(
        Classification.objects.filter(system=system)
        .exclude(status=ClassificationStatus.SUPERSEDED)
        .select_related("signed_by")
    )
    signed = next((c for c in current if c.status == ClassificationStatus.SIGNED), None)
    draft = next((c for c in current if c.status == ClassificationStatus.DRAFT), None)
    for classification in current:
        classification.organization, classification.system = request.org, system
    context = {
        "system": system,
        "signed": signed,
        "draft": draft,
        "changed": signed.changed_basis(system) if signed else [],
        "act_url": act_url(request.org, system),
        "counts": None,
        "total": 0,
    }
    if system.risk_tier in COUNTED_TIERS:
        basis = duties.basis_of(system, signed) if signed else duties.basis_of(system)
        found = duties.obligations_of(system, basis)
        context["counts"] = duties.summary(found)
        context["total"] = len(found)
    return context
