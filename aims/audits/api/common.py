"""What the audit operations share, each defined once (a schema name is one OpenAPI component)."""

from pydantic import StrictInt

from aims.api.schemas import api_choices

from ..models import AuditStatus, Result

AuditState = api_choices("AuditStatus", AuditStatus)
AuditResult = api_choices("AuditResult", Result)
RecordId = StrictInt
