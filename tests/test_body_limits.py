"""Request bodies are bounded: too large is refused before it is read, uploads stop at their cap.

Issue 7, finding 3: two anonymous 512 MiB POSTs to /login/ wrote 961 MiB of temporary files.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.test import RequestFactory
from django.test.client import ClientHandler, encode_multipart
from django.urls import reverse
from django.utils.module_loading import import_string
from helpers import ApiClient

from aims.core import limits
from aims.evidence.models import Blob, Evidence, EvidenceFile
from aims.risk.models import Risk
from aims.trail.models import AuditEvent

MIB = 1024 * 1024
BOUNDARY = "BoUnDaRyaims"


class CountingStream:
    """A request body of ``size`` bytes that counts how much of it was read."""

    def __init__(self, size: int, content: bytes | None = None):
        self.content = content
        self.size = size if content is None else len(content)
        self.consumed = 0

    def read(self, n=-1):
        left = self.size - self.consumed
        n = left if n is None or n < 0 else min(n, left)
        if self.content is not None:
            chunk = self.content[self.consumed : self.consumed + n]
        else:
            chunk = b"a" * n
        self.consumed += n
        return chunk

    def readline(self, n=-1):
        return self.read(n)


def send(
    path,
    stream,
    *,
    length: int | None,
    content_type="application/x-www-form-urlencoded",
    client=None,
    **extra,
):
    """Through the whole middleware stack, with ``stream`` as the raw body (wsgi.input)."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        **extra,
    )
    environ["wsgi.input"] = stream
    if length is None:
        environ.pop("CONTENT_LENGTH", None)
    else:
        environ["CONTENT_LENGTH"] = str(length)
    if client is not None:  # the session cookie of a signed-in test client
        environ["HTTP_COOKIE"] = client.cookies.output(header="", sep="; ")
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    response.json = lambda: json.loads(response.content)
    return response


def evidence_url(world, name="evidence_create", **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def evidence_form(*files):
    return {
        "title": "Bias test report",
        "description": "",
        "kind": "file",
        "url": "",
        "effective_from": "2025-01-10",
        "valid_until": "",
        "files": list(files),
    }


def csv_file(name, size):
    return SimpleUploadedFile(name, b"a," * (size // 2), content_type="text/csv")


@pytest.fixture
def temp_uploads(settings, tmp_path):
    """Uploads larger than the memory threshold stream to this folder."""
    folder = tmp_path / "upload-tmp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def nothing_stored(evidence_root, temp_uploads):
    stored = [p for p in evidence_root.rglob("*") if p.is_file()] if evidence_root.exists() else []
    return (
        not Evidence.objects.exists()
        and not EvidenceFile.objects.exists()
        and not Blob.objects.exists()
        and stored == []
        and list(temp_uploads.iterdir()) == []
    )


# --- Refused before reading ----------------------------------------------------------------


@pytest.mark.parametrize("size", [512 * 1024, 512 * MIB])
def test_an_anonymous_large_post_to_login_is_refused_without_reading_it(db, size, temp_uploads):
    body = CountingStream(size)
    response = send(
        "/login/", body, length=size, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 413
    assert body.consumed == 0
    page = response.content.decode()
    assert "16 KiB" in page and "Nothing was saved" in page
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert list(temp_uploads.iterdir()) == []


def test_a_small_sign_in_still_works(world):
    from tests.conftest import PASSWORD

    client = world.client(None)
    response = client.post("/login/", {"username": world.owner.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(world.owner.pk)


def test_the_sign_in_page_keeps_its_small_limit_for_signed_in_people(world):
    client = world.client(world.owner)
    body = CountingStream(64 * 1024)
    response = send("/login/", body, length=body.size, client=client)
    assert response.status_code == 413 and body.consumed == 0


def test_an_anonymous_post_to_an_upload_page_gets_the_anonymous_limit(world, temp_uploads):
    body = CountingStream(MIB)
    response = send(
        evidence_url(world),
        body,
        length=body.size,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 413 and body.consumed == 0
    assert "16 KiB" in response.content.decode()


def test_a_forged_session_cookie_does_not_raise_the_limit(world):
    body = CountingStream(64 * 1024)
    response = send(
        evidence_url(world), body, length=body.size, HTTP_COOKIE="sessionid=not-a-session"
    )
    assert response.status_code == 413 and body.consumed == 0


def test_a_signed_in_form_over_two_mib_is_refused_unread(world):
    client = world.client(world.manager)
    body = CountingStream(3 * MIB)
    response = send(
        reverse("risk_create", kwargs={"org": world.org.slug}),
        body,
        length=body.size,
        client=client,
    )
    assert response.status_code == 413 and body.consumed == 0
    assert "2 MiB" in response.content.decode()
    assert not Risk.objects.exists()


def test_a_signed_in_form_under_the_limit_is_read(world):
    client = world.client(world.manager)
    body = CountingStream(100 * 1024)  # one long field of nonsense: the form refuses it
    response = send(
        reverse("risk_create", kwargs={"org": world.org.slug}),
        body,
        length=body.size,
        client=client,
    )
    assert response.status_code != 413 and body.consumed == body.size
    assert not Risk.objects.exists()


def test_a_body_without_a_length_is_refused_unread(world):
    body = CountingStream(5 * MIB)
    response = send("/login/", body, length=None, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411 and body.consumed == 0
    api_body = CountingStream(5 * MIB)
    response = send(
        "/api/v1/systems",
        api_body,
        length=None,
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411 and api_body.consumed == 0
    assert response.json()["detail"].startswith("Send the request with a Content-Length")


# --- Evidence uploads --------------------------------------------------------------------------


@pytest.fixture
def small_caps(settings):
    """Evidence: 1 MiB per file, 2 MiB per upload (plus 256 KiB for the form's fields)."""
    settings.AIMS_MAX_UPLOAD_MB = 1
    settings.AIMS_MAX_UPLOAD_REQUEST_MB = 2
    settings.AIMS_MAX_BODY_MB = 0.25
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = MIB // 4


def test_an_evidence_upload_over_its_cap_is_refused_and_nothing_is_stored(
    world, small_caps, evidence_root, temp_uploads
):
    events = AuditEvent.objects.count()
    content = encode_multipart(
        BOUNDARY,
        evidence_form(*(csv_file(f"part-{i}.csv", 900 * 1024) for i in range(3))),
    )
    body = CountingStream(0, content)
    response = send(
        evidence_url(world),
        body,
        length=len(content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        client=world.client(world.contributor),
    )
    assert response.status_code == 413
    assert body.consumed == 0
    page = response.content.decode()
    assert "An evidence upload may be up to <strong>2.25 MiB</strong>" in page
    assert "each file up to <strong>1 MiB</strong>" in page
    assert nothing_stored(evidence_root, temp_uploads)
    assert AuditEvent.objects.count() == events


def test_an_evidence_upload_just_under_its_cap_is_stored(world, small_caps, temp_uploads):
    files = [csv_file("a.csv", MIB - 4096), csv_file("b.csv", MIB - 4096)]
    response = world.client(world.contributor).post(evidence_url(world), evidence_form(*files))
    assert response.status_code == 302, response.content[:500]
    evidence = Evidence.objects.get()
    assert evidence.revisions.get().files.count() == 2
    assert sorted(f.blob.size for f in EvidenceFile.objects.all()) == [MIB - 4096] * 2
    assert list(temp_uploads.iterdir()) == []  # temporary files are removed after the request


class Recording(FileUploadHandler):
    """Records how many bytes of each file reach the handlers that store them."""

    received: dict = {}

    def receive_data_chunk(self, raw_data, start):
        Recording.received[self.file_name] = Recording.received.get(self.file_name, 0) + len(
            raw_data
        )
        return raw_data

    def file_complete(self, file_size):
        return None


def test_a_file_over_its_own_limit_stops_being_written_and_the_form_names_it(
    world, settings, small_caps, evidence_root, temp_uploads
):
    settings.FILE_UPLOAD_HANDLERS = [
        "aims.core.limits.BoundedUploadHandler",
        "tests.test_body_limits.Recording",
        "django.core.files.uploadhandler.TemporaryFileUploadHandler",
    ]
    # The handler is imported by its dotted name, which may be another copy of this module.
    recording = import_string("tests.test_body_limits.Recording")
    recording.received = {}
    big = csv_file("big.csv", int(1.5 * MIB))
    response = world.client(world.contributor).post(
        evidence_url(world), evidence_form(csv_file("small.csv", 1000), big)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["files"]
    assert any("big.csv is 1.5 MB; the limit is 1 MB" in e for e in errors)
    # Of big.csv, no more than the 1 MiB cap reached the temporary file; small.csv whole.
    assert recording.received["small.csv"] == 1000
    assert recording.received["big.csv"] <= MIB
    assert nothing_stored(evidence_root, temp_uploads)


def test_the_upload_handler_stops_a_body_of_unknown_size_at_the_cap(world, temp_uploads):
    """However the body arrives, the handler counts its bytes: past the cap it stops reading
    and deletes what it had written."""
    content = encode_multipart(BOUNDARY, {"files": csv_file("huge.csv", 3 * MIB)})
    body = CountingStream(0, content)
    request = RequestFactory().post("/", content_type=f"multipart/form-data; boundary={BOUNDARY}")
    request.META["CONTENT_LENGTH"] = str(len(content))
    request._stream = body
    request.user = world.contributor
    request.aims_body_limit = limits.BodyLimit(
        total=MIB, per_file=MIB, what="A test upload", advice=""
    )
    request.upload_handlers = [
        limits.BoundedUploadHandler(request),
        TemporaryFileUploadHandler(request),
    ]
    with pytest.raises(limits.BodyTooLarge):
        request.POST  # noqa: B018 - parsing the body is the act under test
    assert body.consumed <= MIB + 2 * 64 * 1024  # the cap, plus the chunk that passed it
    assert request.aims_body_refused.total == MIB
    assert list(temp_uploads.iterdir()) == []


def test_a_check_data_upload_has_its_own_cap(world, settings, credit_system):
    settings.AIMS_MAX_CHECK_DATA_MB = 1
    settings.AIMS_MAX_BODY_MB = 0.25
    client = world.client(world.manager)
    url = reverse("check_create", kwargs={"org": world.org.slug})
    body = CountingStream(3 * MIB)
    response = send(
        url,
        body,
        length=body.size,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        client=client,
    )
    assert response.status_code == 413 and body.consumed == 0
    page = response.content.decode()
    assert "2.25 MiB" in page and "Give a path the server can read" in page
    # Within the cap, the body is read (and the form answers about its content).
    small = CountingStream(MIB)
    response = send(
        url,
        small,
        length=small.size,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        client=client,
    )
    assert response.status_code != 413


# --- The API ------------------------------------------------------------------------------------


def test_an_api_body_over_the_limit_answers_413_in_the_error_shape(world):
    api = ApiClient.for_member(world.manager, world.org)
    body = CountingStream(3 * MIB)
    response = send(
        "/api/v1/systems",
        body,
        length=body.size,
        content_type="application/json",
        **api.headers(),
    )
    assert response.status_code == 413 and body.consumed == 0
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"detail", "errors"}
    assert (
        data["detail"] == "The request is too large. A form or an API request may be up to 2 MiB."
    )
    assert data["errors"][0]["field"] is None and "2 MiB" in data["errors"][0]["message"]


def test_an_api_request_without_a_token_gets_the_anonymous_limit(db):
    body = CountingStream(64 * 1024)
    response = send("/api/v1/systems", body, length=body.size, content_type="application/json")
    assert response.status_code == 413 and body.consumed == 0
    assert "16 KiB" in response.json()["detail"]


def test_an_api_evidence_upload_over_its_cap_is_refused_and_nothing_is_stored(
    world, small_caps, evidence_root, temp_uploads
):
    api = ApiClient.for_member(world.contributor, world.org)
    content = encode_multipart(
        BOUNDARY,
        {
            "title": "Report",
            "effective_from": "2025-03-01",
            "files": [csv_file(f"p{i}.csv", 900 * 1024) for i in range(3)],
        },
    )
    body = CountingStream(0, content)
    response = send(
        "/api/v1/evidence",
        body,
        length=len(content),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **api.headers(),
    )
    assert response.status_code == 413 and body.consumed == 0
    assert (
        "An evidence upload may be up to 2.25 MiB, each file up to 1 MiB."
        in response.json()["detail"]
    )
    assert nothing_stored(evidence_root, temp_uploads)


def test_an_api_evidence_upload_within_its_cap_is_stored(world, small_caps, temp_uploads):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post_form(
        "/api/v1/evidence",
        {"title": "Report", "effective_from": "2025-03-01", "files": [csv_file("p.csv", MIB // 2)]},
    )
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().revisions.get().files.get().blob.size == MIB // 2


def test_the_limits_follow_the_settings(settings):
    assert int(settings.AIMS_MAX_BODY_MB * MIB) == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.MIDDLEWARE[0] == "aims.core.limits.BodyLimitMiddleware"
    assert settings.FILE_UPLOAD_HANDLERS[0] == "aims.core.limits.BoundedUploadHandler"
