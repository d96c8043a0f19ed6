from aims.core.areas import Area, NavLink, Section, hook, names_record, register
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import Proposal


@hook("dashboard")
def dashboard(organization) -> Part:
    waiting = Proposal.objects.for_org(organization).open().select_related("proposed_by")
    listed = list(waiting[:LIST_LIMIT])
    for proposal in listed:
        proposal.organization = organization
    count = waiting.count()
    return Part(
        "proposals",
        notices=[
            Notice(
                count,
                Section("proposals/_dashboard.html", {"proposals": listed}, order=5),
                show_when_zero=False,
            )
        ],
        data={"open": count},
    )


register(
    Area(
        label="proposals",
        prefix="proposals/",
        urls="aims.proposals.urls",
        nav=(NavLink("Proposals", "proposal_list", "Overview", order=200, icon="inbox"),),
        api_router="aims.proposals.api.router",
        api_path_records={
            "proposal_id": lambda org, v: names_record(Proposal.objects.for_org(org), v)
        },
        order=3,
    )
)
