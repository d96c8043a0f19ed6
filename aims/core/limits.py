"""Bounded request bodies: every request is refused before its body is read when it is larger than
its route allows, and uploads are counted while they stream in.

Limits, smallest first (settings in ``aims/settings.py``, each overridable from the environment):

* signing in, the second-factor code page, invitations, and any request from someone not signed
  in: ``AIMS_MAX_ANONYMOUS_BODY_KB`` (16 KiB);
* a signed-in person's forms and the JSON API: ``AIMS_MAX_BODY_MB`` (2 MiB, also Django's
  ``DATA_UPLOAD_MAX_MEMORY_SIZE``);
* an evidence upload (web form or ``POST /api/v1/evidence``): ``AIMS_MAX_UPLOAD_REQUEST_MB`` in
  all (100 MiB), each file ``AIMS_MAX_UPLOAD_MB`` (25 MiB);
* a check's data upload (create and edit forms): two files of ``AIMS_MAX_CHECK_DATA_MB`` each
  (200 MiB).

:class:`BodyLimitMiddleware` (first in ``MIDDLEWARE``) compares the declared ``Content-Length``
with the route's limit and answers 413 without reading a byte of the body. A body sent without a
length (``Transfer-Encoding: chunked``) is answered 411: Django would read it as empty.
:class:`BoundedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts the bytes of every
uploaded file as they arrive: past the route's total it stops the upload (413), and a single file
past its own limit is no longer written anywhere; it reaches the form as an empty placeholder
that knows its real size, so the form says which file is too large.
:func:`bad_request` (``handler400``) answers the 413 page too when Django itself refuses a body
while reading it (``RequestDataTooBig``: a text field past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` on an
upload route, whose total limit is larger); the API does the same in ``aims.api.errors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views.defaults import bad_request as django_bad_request

from .areas import upload_kind

KIB = 1024
MIB = 1024 * 1024

# Pages anyone may post to: they take small bodies whoever sends them.
SMALL_BODY_URL_NAMES = {"login", "login_code", "logout", "mfa_verify"}
SMALL_BODY_PREFIXES = ("/invitations/",)
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Headers of the responses given here, before the middleware that usually adds them has run.
REFUSAL_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class BodyTooLarge(RequestDataTooBig):
    """An upload passed its route's limit while it streamed in."""


def size_text(size: float) -> str:
    """``16 KiB``, ``2 MiB``, ``1.5 MiB``: how the pages state a limit."""
    if size < MIB:
        return f"{size / KIB:.3g} KiB"
    return f"{size / MIB:.4g} MiB"


@dataclass(frozen=True)
class BodyLimit:
    """How large a request to one route may be: ``total`` bytes, and each file ``per_file``."""

    total: int
    per_file: int
    what: str  # what the limit is for, in the words of the 413 page
    advice: str

    def describe(self) -> str:
        text = f"{self.what} may be up to {size_text(self.total)}"
        if self.per_file < self.total:
            text += f", each file up to {size_text(self.per_file)}"
        return text + "."


def anonymous_limit() -> BodyLimit:
    return BodyLimit(
        total=int(settings.AIMS_MAX_ANONYMOUS_BODY_KB * KIB),
        per_file=int(settings.AIMS_MAX_ANONYMOUS_BODY_KB * KIB),
        what="A sign-in form, or a request from someone not signed in,",
        advice="Sign in first, or check that you are sending the form you meant to.",
    )


def standard_limit() -> BodyLimit:
    return BodyLimit(
        total=int(settings.AIMS_MAX_BODY_MB * MIB),
        per_file=int(settings.AIMS_MAX_BODY_MB * MIB),
        what="A form or an API request",
        advice="Shorten the text you entered, or split it over several records.",
    )


def evidence_limit() -> BodyLimit:
    per_file = int(settings.AIMS_MAX_UPLOAD_MB * MIB)
    total = max(int(settings.AIMS_MAX_UPLOAD_REQUEST_MB * MIB), per_file)
    return BodyLimit(
        total=total + int(settings.AIMS_MAX_BODY_MB * MIB),  # the form's fields beside the files
        per_file=per_file,
        what="An evidence upload",
        advice="Upload fewer files at a time (add more as a new revision), or compress them.",
    )


def check_upload_limit() -> BodyLimit:
    per_file = int(settings.AIMS_MAX_CHECK_DATA_MB * MIB)
    return BodyLimit(
        total=2 * per_file + int(settings.AIMS_MAX_BODY_MB * MIB),  # data and reference file
        per_file=per_file,
        what="A check's data upload",
        advice="Give a path the server can read (under a check data folder) instead of "
        "uploading the file.",
    )


# What an upload route takes (areas name their routes in area.py) -> its limit.
UPLOAD_LIMITS = {"evidence": evidence_limit, "check data": check_upload_limit}


def _route_limit(request) -> BodyLimit | None:
    """The larger limit of an upload route, or None for an ordinary one."""
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return None
    kind = upload_kind(view_name)
    return UPLOAD_LIMITS[kind]() if kind else None


def _always_small(request) -> bool:
    path = request.path_info
    if path.startswith(SMALL_BODY_PREFIXES):
        return True
    try:
        return resolve(path).url_name in SMALL_BODY_URL_NAMES
    except Resolver404:
        return True  # nothing is there to post to


def _may_be_signed_in(request) -> bool:
    """Whether the request comes from someone signed in, judged without reading the body.

    The API: a bearer token is sent (a wrong one is refused before the body is read). Pages: the
    session cookie names a session with a signed-in user (one query, only for bodies larger than
    the anonymous limit).
    """
    if request.path_info.startswith("/api/"):
        return request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    from django.contrib.auth import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return SESSION_KEY in store


def limit_for(request) -> BodyLimit:
    """The limit of this request's body (kept on the request once known)."""
    known = getattr(request, "aims_body_limit", None)
    if known is not None:
        return known
    if _always_small(request) or not _may_be_signed_in(request):
        limit = anonymous_limit()
    else:
        limit = _route_limit(request) or standard_limit()
    request.aims_body_limit = limit
    return limit


def declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def too_large_response(request, limit: BodyLimit, *, sent: int | None = None) -> HttpResponse:
    """413: a page for people, the API's error shape for programs."""
    detail = f"The request is too large. {limit.describe()}"
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": detail,
                "errors": [{"field": None, "message": f"{detail} {limit.advice}"}],
            },
            status=413,
        )
    else:
        body = render_to_string(
            "413.html",
            {
                "limit": size_text(limit.total),
                "per_file": size_text(limit.per_file) if limit.per_file < limit.total else "",
                "what": limit.what,
                "sent": size_text(sent) if sent else "",
                "advice": limit.advice,
            },
            request=request,
        )
        response = HttpResponse(body, status=413)
    for name, value in REFUSAL_HEADERS.items():
        response.setdefault(name, value)
    return response


def text_limit() -> BodyLimit:
    """The form fields beside the files of an upload route (Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``)."""
    size = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return BodyLimit(
        total=size,
        per_file=size,
        what="The text of a form or an API request (its files apart)",
        advice="Shorten the text you entered, or attach it as a file.",
    )


def bad_request(request, exception=None) -> HttpResponse:
    """``handler400``: a body Django refused while reading it as too large (a text field past
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` on an upload route, whose total limit is larger) gets the
    413 page, like every other too-large request; any other 400 Django's own page."""
    if isinstance(exception, RequestDataTooBig):
        limit = getattr(request, "aims_body_refused", None) or text_limit()
        return too_large_response(request, limit, sent=declared_length(request))
    return django_bad_request(request, exception)


def length_required_response(request) -> HttpResponse:
    detail = (
        "Send the request with a Content-Length header: bodies of unknown length "
        "(Transfer-Encoding: chunked) are not accepted."
    )
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"detail": detail, "errors": [{"field": None, "message": detail}]}, status=411
        )
    else:
        response = HttpResponse(detail, status=411, content_type="text/plain; charset=utf-8")
    for name, value in REFUSAL_HEADERS.items():
        response.setdefault(name, value)
    return response


class BodyLimitMiddleware:
    """First in MIDDLEWARE: refuse oversized bodies before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            length = declared_length(request)
            if length is None and request.META.get("HTTP_TRANSFER_ENCODING"):
                return length_required_response(request)
            if length and length > int(settings.AIMS_MAX_ANONYMOUS_BODY_KB * KIB):
                limit = limit_for(request)
                if length > limit.total:
                    return too_large_response(request, limit, sent=length)
        response = self.get_response(request)
        refused = getattr(request, "aims_body_refused", None)
        if refused is not None:
            # The upload handler stopped the body part-way; whatever answer the inner layers
            # made of that (a 400), the person gets the 413 page.
            return too_large_response(request, refused)
        return response


class _Refused(BytesIO):
    """The content of an oversized file: reading it stops the request."""

    def __init__(self, request, limit):
        super().__init__()
        self.request, self.limit = request, limit

    def read(self, *args):
        self.request.aims_body_refused = self.limit
        raise BodyTooLarge("An uploaded file is over its size limit.")

    def __iter__(self):
        return iter(())


class OversizedUpload(UploadedFile):
    """A file that passed its limit while streaming in: its name and real size, no content.

    Forms check the size first and say which file is too large; reading it stops the request.
    """

    def __init__(self, request, limit, name, content_type, size, charset, content_type_extra):
        super().__init__(
            _Refused(request, limit), name, content_type, size, charset, content_type_extra
        )

    def chunks(self, chunk_size=None):
        self.file.read()
        return iter(())

    def multiple_chunks(self, chunk_size=None):
        return False


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: count every uploaded byte against the route's limits.

    Past the total, the upload stops (the 413 page); a file past its own limit stops being
    passed on to the handlers that store it (its partial temporary file is deleted at once).
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = limit_for(self.request)
        self.total = 0
        return None

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        self.size = 0
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        self.total += len(raw_data)
        if self.total > self.limit.total:
            self._discard_stored()
            self.request.aims_body_refused = self.limit
            raise BodyTooLarge(f"The upload passed {size_text(self.limit.total)}.")
        if self.size > self.limit.per_file:
            if not self.oversized:
                self.oversized = True
                self._discard_stored()
            return None  # the handlers after this one never see the rest
        return raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None
        return OversizedUpload(
            self.request,
            self.limit,
            self.file_name,
            self.content_type,
            self.size,
            self.charset,
            self.content_type_extra,
        )

    def _discard_stored(self):
        """Close (and so delete) what the later handlers wrote of the current file."""
        for handler in self.request.upload_handlers:
            if handler is not self and getattr(handler, "file", None) is not None:
                handler.file.close()
