"""The leadership area's records for the route-walking tests, and its list pages' seed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.leadership.models import (
    Activity,
    AIMSRole,
    CommitteeAction,
    Decision,
    Meeting,
    MeetingStatus,
)
from aims.leadership.services import (
    save_action,
    save_decision,
    save_meeting,
    save_role,
    set_cell,
)
from aims.organizations.models import Access

LIST_PAGES = ["leadership_role_list", "leadership_meeting_list"]


def make(world, records) -> dict:
    org, owner = world.org, world.owner
    today = timezone.localdate()
    role = save_role(
        AIMSRole(organization=org, name="AI governance lead", responsibilities="Runs the AIMS."),
        actor=owner,
        holders=[world.manager],
    )
    activity = Activity.objects.for_org(org).first()
    set_cell(activity, actor=owner, letter="A", role=role)
    set_cell(activity, actor=owner, letter="I", person=world.contributor)
    meeting = save_meeting(
        Meeting(
            organization=org,
            title="AI governance committee",
            date=today - dt.timedelta(days=7),
            status=MeetingStatus.HELD,
            agenda="Risks; deployments.",
            minutes="We reviewed the risk register.",
        ),
        actor=owner,
        attendees=[world.top_manager, world.manager],
    )
    decision = save_decision(
        Decision(
            organization=org,
            meeting=meeting,
            text="Approve the credit model's plan.",
            system=records["objects"].get("system"),
            reference="Minutes p. 2",
        ),
        actor=owner,
    )
    action = save_action(
        CommitteeAction(
            organization=org,
            meeting=meeting,
            title="Update the AI policy",
            owner=world.manager,
            due_date=today + dt.timedelta(days=30),
        ),
        actor=owner,
    )
    ids = {
        "aims_role_id": role.pk,
        "raci_activity_id": activity.pk,
        "meeting_id": meeting.pk,
        "meeting_decision_id": decision.pk,
        "meeting_action_id": action.pk,
    }
    return {
        **ids,
        "api": dict(ids),
        "objects": {
            "aims_role": role,
            "raci_activity": activity,
            "meeting": meeting,
            "meeting_decision": decision,
            "meeting_action": action,
        },
    }


def seed(world, n: int) -> None:
    """``n`` more roles (each held by someone) and ``n`` more held meetings, each with an
    attendee, a decision and an open action."""
    org = world.org
    start = AIMSRole.objects.filter(organization=org).count()
    roles = AIMSRole.objects.bulk_create(
        AIMSRole(organization=org, name=f"Role {start + i}", responsibilities="Things.")
        for i in range(n)
    )
    AIMSRole.holders.through.objects.bulk_create(
        AIMSRole.holders.through(aimsrole_id=role.pk, user_id=world.manager.pk) for role in roles
    )
    today = timezone.localdate()
    meetings = Meeting.objects.bulk_create(
        Meeting(
            organization=org,
            title=f"Committee {i}",
            date=today - dt.timedelta(days=i % 300),
            status=MeetingStatus.HELD,
        )
        for i in range(n)
    )
    Meeting.attendees.through.objects.bulk_create(
        Meeting.attendees.through(meeting_id=m.pk, user_id=world.top_manager.pk) for m in meetings
    )
    Decision.objects.bulk_create(
        Decision(organization=org, meeting=m, text="Decided.") for m in meetings
    )
    CommitteeAction.objects.bulk_create(
        CommitteeAction(
            organization=org, meeting=m, title="Do it", owner=world.manager, due_date=today
        )
        for m in meetings
    )


API_ACCESS = {
    ("GET", "/aims-roles"): Access.READ,
    ("POST", "/aims-roles"): Access.MANAGE,
    ("GET", "/aims-roles/{aims_role_id}"): Access.READ,
    ("PATCH", "/aims-roles/{aims_role_id}"): Access.MANAGE,
    ("GET", "/raci-activities"): Access.READ,
    ("GET", "/raci-activities/{raci_activity_id}"): Access.READ,
    ("POST", "/raci-activities/{raci_activity_id}/cells"): Access.MANAGE,
    ("GET", "/meetings"): Access.READ,
    ("POST", "/meetings"): Access.CONTRIBUTE,
    ("GET", "/meetings/{meeting_id}"): Access.READ,
    ("PATCH", "/meetings/{meeting_id}"): Access.CONTRIBUTE,
    ("POST", "/meetings/{meeting_id}/decisions"): Access.CONTRIBUTE,
    ("PATCH", "/meeting-decisions/{meeting_decision_id}"): Access.CONTRIBUTE,
    ("POST", "/meetings/{meeting_id}/actions"): Access.CONTRIBUTE,
    ("PATCH", "/meeting-actions/{meeting_action_id}"): Access.CONTRIBUTE,
    ("GET", "/top-management"): Access.READ,
}
API_BODIES = {
    ("POST", "/aims-roles"): {"name": "Another"},
    ("PATCH", "/aims-roles/{aims_role_id}"): {"name": "Renamed"},
    ("POST", "/raci-activities/{raci_activity_id}/cells"): {"role": 1, "letter": "A"},
    ("POST", "/meetings"): {"title": "M", "date": "2026-01-01"},
    ("PATCH", "/meetings/{meeting_id}"): {"title": "Renamed"},
    ("POST", "/meetings/{meeting_id}/decisions"): {"text": "D"},
    ("PATCH", "/meeting-decisions/{meeting_decision_id}"): {"text": "D"},
    ("POST", "/meetings/{meeting_id}/actions"): {"title": "A"},
    ("PATCH", "/meeting-actions/{meeting_action_id}"): {"title": "A"},
}
