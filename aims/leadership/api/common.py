"""Choices the leadership operations share, each defined once (a schema name is one OpenAPI
component)."""

from aims.api.schemas import api_choices

from ..models import ActionStatus, Letter, MeetingStatus

RaciLetter = api_choices("RaciLetter", Letter)
CommitteeMeetingStatus = api_choices("CommitteeMeetingStatus", MeetingStatus)
CommitteeActionStatus = api_choices("CommitteeActionStatus", ActionStatus)
