"""One JSON shape for every API error, whatever raised it.

``{"detail": "what went wrong", "errors": [{"field": "name", "message": "what to fix"}]}``

* 401: no token, an unknown or a revoked one.
* 403: the token's user lacks the role the operation needs.
* 404: no such record in the token's organization (other organizations' records included).
* 409: the request conflicts with the record's state (a life-cycle gate is not met) or with
  another record (a name already taken, or the same record saved by two requests at once).
* 413: the body is larger than the operation takes (answered by ``aims.core.limits``).
* 422: the input is not valid; ``errors`` names each field and says what to fix.

No input gives a 500: a database refusal (a uniqueness constraint, a value the database cannot
store) is answered 409 or 422 in the same shape.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, models
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from aims.core.errors import Refused
from aims.core.limits import text_limit, too_large_response
from aims.metrics import InputError as MetricsInputError


class FieldError(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


class Requirement(Schema):
    code: str
    label: str
    detail: str


class GateBlockedOut(ErrorOut):
    stage: str
    requirements: list[Requirement]


ERROR_DESCRIPTIONS = {
    400: "The request could not be read (e.g. too many fields).",
    401: "No token, or an unknown or revoked one.",
    403: "Your role in the organization does not allow this.",
    404: "No such record in your organization.",
    409: "The record's state, or another record, does not allow this.",
    413: "The request body is larger than this operation takes.",
    422: "The input is not valid; `errors` names each field.",
}


class InvalidInput(Exception):
    """Field errors found by the API itself, e.g. a username that is not a member."""

    def __init__(self, errors: dict[str | None, list[str] | str]):
        self.errors = {k: ([v] if isinstance(v, str) else list(v)) for k, v in errors.items()}
        super().__init__(self.errors)


def _body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def _summary(errors: list[dict]) -> str:
    parts = [f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors]
    return "The input is not valid. " + " ".join(parts) if parts else "The input is not valid."


def field_errors(error_dict: dict) -> list[dict]:
    out = []
    for field, messages in error_dict.items():
        name = None if field in (NON_FIELD_ERRORS, None) else field
        for message in messages:
            out.append({"field": name, "message": str(message)})
    return out


def django_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return field_errors(exc.message_dict)
    return [{"field": None, "message": m} for m in exc.messages]


# What pydantic says, in the words of the web forms.
def _plain_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"Choose one of: {expected}."
    if kind.startswith("datetime"):
        return "Enter a date and time in ISO 8601 format."
    if kind.startswith("date"):
        return "Enter a date as YYYY-MM-DD."
    if kind.startswith("int"):
        return "Enter a whole number."
    if kind.startswith("bool"):
        return "Enter true or false."
    if kind in {"list_type", "tuple_type", "set_type"}:
        return "Give a list."
    if kind in {"string_type"}:
        return "Enter text."
    if kind == "extra_forbidden":
        return "Unknown field; it cannot be set here."
    if kind == "json_invalid":
        return "The request body is not valid JSON."
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "Send a JSON object."
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters."
    if kind == "greater_than_equal":
        return f"Enter a value of at least {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Enter a value of at most {ctx.get('le')}."
    return str(error.get("msg", "This value is not valid."))


def _field_name(loc: tuple) -> str | None:
    """``("body", "payload", "name")`` -> ``"name"``; ``("query", "stage")`` -> ``"stage"``."""
    parts = [str(p) for p in loc]
    if not parts:
        return None
    source, rest = parts[0], parts[1:]
    if source == "body" and len(rest) >= 2:
        rest = rest[1:]  # the operation's parameter name, not a field the client sends
    if source == "body" and len(rest) == 1 and rest[0] in {"payload", "data"}:
        return None  # the body as a whole
    return ".".join(rest) or None


def _unique_sets(model) -> list[tuple[str | None, list[str]]]:
    """(constraint name, field names) of each uniqueness rule of ``model``."""
    found = [(None, [field.name]) for field in model._meta.concrete_fields if field.unique]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            found.append((constraint.name, list(constraint.fields)))
    return found


def _conflict(exc: IntegrityError) -> tuple[str, list[dict]]:
    """What a uniqueness refusal means, in words: which record, which field.

    PostgreSQL names the constraint (``"unique_check_name"``), SQLite the columns
    (``checks_check.system_id, checks_check.name``); both are matched against the models.
    """
    text = str(exc)
    for model in apps.get_models():
        meta = model._meta
        for name, names in _unique_sets(model):
            fields = [meta.get_field(n) for n in names]
            columns = ", ".join(f"{meta.db_table}.{f.column}" for f in fields)
            named = name and f'"{name}"' in text
            if not named and f"UNIQUE constraint failed: {columns}" not in text:
                continue
            chosen = [f for f in fields if not f.is_relation] or fields[-1:]
            scope = [f for f in fields if f.is_relation]
            where = "".join(f" of this {f.related_model._meta.verbose_name}" for f in scope)
            what = " and ".join(str(f.verbose_name) for f in chosen)
            detail = f"Another {meta.verbose_name}{where} already has this {what}."
            message = (
                f"{detail[:-1]}; choose another, or reload: someone may have saved the same "
                "record at the same moment."
            )
            return detail, [{"field": f.name, "message": message} for f in chosen]
    detail = "This conflicts with a record saved at the same moment; reload and try again."
    return detail, [{"field": None, "message": detail}]


def ninja_errors(exc: NinjaValidationError) -> list[dict]:
    out = []
    for error in exc.errors:
        out.append(
            {"field": _field_name(tuple(error.get("loc", ()))), "message": _plain_message(error)}
        )
    return out


def install(api) -> None:
    """Register the handlers that give every error the shape above."""
    from .lookups import names_a_missing_record  # lookups imports this module

    def respond(request, status: int, body: dict, headers: dict | None = None):
        response = api.create_response(request, body, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    def on_authentication(request, exc):
        return respond(
            request,
            401,
            _body("Send a valid API token: Authorization: Bearer <token>."),
            {"WWW-Authenticate": 'Bearer realm="openaims"'},
        )

    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and names_a_missing_record(request):
            return on_not_found(request, exc)
        if exc.status_code == 400:
            # ninja's "Cannot parse request body": bad JSON is invalid input like any other.
            errors = [{"field": None, "message": "The request body is not valid JSON."}]
            return respond(request, 422, _body(_summary(errors), errors))
        return respond(request, exc.status_code, _body(str(exc)))

    def on_ninja_validation(request, exc: NinjaValidationError):
        if names_a_missing_record(request):
            return on_not_found(request, exc)
        errors = ninja_errors(exc)
        return respond(request, 422, _body(_summary(errors), errors))

    def on_django_validation(request, exc: DjangoValidationError):
        errors = django_errors(exc)
        return respond(request, 422, _body(_summary(errors), errors))

    def on_invalid_input(request, exc: InvalidInput):
        errors = field_errors(exc.errors)
        return respond(request, 422, _body(_summary(errors), errors))

    def on_metrics_input(request, exc: MetricsInputError):
        # The data or the posted statistics cannot be used; the message names the problem.
        errors = [{"field": None, "message": str(exc)}]
        return respond(request, 422, _body(str(exc), errors))

    def on_refused(request, exc: Refused):
        body = _body(exc.api_detail(), exc.api_errors())
        body.update(exc.api_extra())
        return respond(request, exc.status, body)

    def on_not_found(request, exc):
        return respond(request, 404, _body("Not found in your organization."))

    def on_permission_denied(request, exc):
        return respond(request, 403, _body(str(exc) or "Your role does not allow this."))

    def on_integrity(request, exc: IntegrityError):
        detail, errors = _conflict(exc)
        return respond(request, 409, _body(detail, errors))

    def on_data_error(request, exc: DataError):
        errors = [
            {
                "field": None,
                "message": "A value could not be stored: it is too long, too large, or holds "
                "characters the database refuses.",
            }
        ]
        return respond(request, 422, _body(_summary(errors), errors))

    def on_bad_multipart(request, exc):
        errors = [{"field": None, "message": "The multipart form could not be read."}]
        return respond(request, 422, _body(_summary(errors), errors))

    def on_suspicious(request, exc):
        if isinstance(exc, RequestDataTooBig):
            # A text field past DATA_UPLOAD_MAX_MEMORY_SIZE on an upload operation, whose whole
            # body may be larger: 413, as for every other body too large.
            limit = getattr(request, "aims_body_refused", None) or text_limit()
            return too_large_response(request, limit)
        return respond(request, 400, _body("The request was refused as malformed or too large."))

    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(InvalidInput, on_invalid_input)
    api.add_exception_handler(MetricsInputError, on_metrics_input)
    api.add_exception_handler(Refused, on_refused)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(MultiPartParserError, on_bad_multipart)
    api.add_exception_handler(IntegrityError, on_integrity)
    api.add_exception_handler(DataError, on_data_error)


# Any operation that reads a body may also answer these, before it runs.
BODY_ERRORS = (400, 413, 422)


def responses(status: int, schema, *errors: int, conflict=ErrorOut) -> dict:
    """The response map of an operation: its success schema and the errors it may answer.

    Every error is :class:`ErrorOut`; a 409 whose body says more (``GateBlockedOut``) is named
    with ``conflict``.
    """
    out = {status: schema, 401: ErrorOut}
    for code in sorted(set(errors)):
        out[code] = conflict if code == 409 else ErrorOut
    return out
