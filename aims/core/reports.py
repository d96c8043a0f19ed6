"""Reports: a page made to be printed, and the same page as a PDF.

A report template extends ``core/report.html`` (no sidebar or buttons: the organization's name,
the report's title, when it was made, then the report). :func:`report` answers with that page;
with ``as_pdf`` it answers with the PDF WeasyPrint makes of it, so the two never differ. The
PDF is rendered on the server from local files only: :func:`local_files_only` gives WeasyPrint
the app's own static files (the stylesheet, the logo) and nothing else, so no report can make
the server fetch a URL, whatever text it contains. Fonts come from the machine (Debian's DejaVu
and Liberation packages).
"""

from __future__ import annotations

import mimetypes
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone


class RefusedURL(ValueError):
    pass


def local_files_only(url: str) -> tuple[bytes, str]:
    """The bytes and type of a static file of the app named by ``url``; anything else is
    refused."""
    prefix = settings.STATIC_URL
    path = url.split("?", 1)[0].split("#", 1)[0]
    for start in (prefix, "file://" + prefix):
        if path.startswith(start):
            name = path[len(start) :]
            found = finders.find(name) if ".." not in name else None
            if found:
                with open(found, "rb") as handle:
                    data = handle.read()
                return data, mimetypes.guess_type(found)[0] or "application/octet-stream"
    raise RefusedURL(f"A report may only use the app's own files, not {url[:100]!r}.")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFiles(URLFetcher):
        """WeasyPrint's fetcher, narrowed to :func:`local_files_only`: a refused URL is left
        out of the PDF (WeasyPrint logs it and goes on)."""

        def fetch(self, url, headers=None):
            data, mime_type = local_files_only(url)
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime_type})

    return LocalFiles()


def filename_for(name: str, organization, extension: str) -> str:
    """``<name>-<organization>-<date>.<extension>``, ASCII letters, digits and dashes only."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", f"{name}-{organization.slug}").strip("-")
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: loading pango takes a moment

    return HTML(string=html, base_url="/", url_fetcher=_fetcher()).write_pdf()


def report(request, template: str, context: dict, *, name: str, as_pdf: bool = False):
    """The print-ready page of a report, or (``as_pdf``) its PDF as a download.

    ``context`` needs ``title``; ``org`` is taken from the request. ``name`` makes the file
    name: ``management-review`` gives ``management-review-acme-2026-12-04.pdf``.
    """
    organization = request.org
    context = {"org": organization, "generated": timezone.now(), "as_pdf": as_pdf, **context}
    html = render_to_string(template, context, request=request)
    if not as_pdf:
        return HttpResponse(html)
    response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{filename_for(name, organization, "pdf")}"'
    )
    return response
