from django import template

from ..models import Proposal

register = template.Library()


@register.inclusion_tag("proposals/_for_record.html")
def open_proposals(record):
    """The proposals waiting for a decision about ``record``, for its page."""
    proposals = list(Proposal.objects.open().for_record(record))
    for proposal in proposals:
        proposal.organization = record.organization
    return {"proposals": proposals}
