"""Proposals waiting for a decision, and deciding on them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.core.forms import add_service_errors
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import DecisionForm
from .kinds import proposal_kinds
from .models import Proposal, ProposalStatus


def get_proposal(request, proposal_id: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.for_org(request.org).select_related("proposed_by", "decided_by"),
        pk=proposal_id,
    )


@org_view()
def proposal_list(request):
    status = request.GET.get("status", ProposalStatus.OPEN)[:20]
    proposals = Proposal.objects.for_org(request.org).select_related("proposed_by", "decided_by")
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    page = paginate(request, proposals)
    labels = {name: kind.label for name, kind in proposal_kinds().items()}
    for proposal in page.object_list:
        proposal.kind_label = labels.get(proposal.kind, proposal.kind)
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ProposalStatus.choices,
            "querystring": query_without_page(request),
            "may_decide": request.membership.can(Access.DECIDE),
        },
    )


def render_detail(request, proposal, *, form=None, status=200):
    kind = proposal_kinds().get(proposal.kind)
    target = kind.record(proposal) if kind else None
    if target is not None and hasattr(target, "organization_id"):
        target.organization = request.org
    return render(
        request,
        "proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "kind_label": kind.label if kind else proposal.kind,
            "target": target,
            "target_url": target.get_absolute_url()
            if target is not None and hasattr(target, "get_absolute_url")
            else "",
            "form": form or DecisionForm(),
            "may_decide": request.membership.can(Access.DECIDE),
            "is_proposer": proposal.proposed_by_id == request.user.pk,
            "events": AuditEvent.objects.for_record(proposal)[:20],
        },
        status=status,
    )


@org_view()
def proposal_detail(request, proposal_id: int):
    return render_detail(request, get_proposal(request, proposal_id))


@org_view(Access.DECIDE)
@require_POST
def proposal_decide(request, proposal_id: int):
    proposal = get_proposal(request, proposal_id)
    form = DecisionForm(request.POST)
    approving = request.POST.get("decision") == "approve"
    if form.is_valid():
        decide = services.approve if approving else services.refuse
        try:
            decide(proposal, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            verb = "approved and made" if approving else "refused"
            messages.success(request, f"“{proposal.summary}” {verb}.")
            return redirect("proposal_detail", org=request.org.slug, proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return render_detail(request, proposal, form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_POST
def proposal_withdraw(request, proposal_id: int):
    proposal = get_proposal(request, proposal_id)
    try:
        services.withdraw(proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{proposal.summary}” withdrawn.")
    return redirect("proposal_detail", org=request.org.slug, proposal_id=proposal.pk)
