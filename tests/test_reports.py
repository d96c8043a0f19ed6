"""Reports (aims.core.reports): the print page and its PDF are the same page, made from local
files only, and name the organization."""

import io

import pytest
from django.test import RequestFactory
from pypdf import PdfReader

from aims.core.reports import RefusedURL, filename_for, local_files_only, pdf_bytes, report


def pdf_text(data: bytes) -> tuple[str, int]:
    """The text of a PDF and its number of pages (for the report tests of each area)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "/static/../../etc/passwd",
        "/etc/passwd",
    ],
)
def test_a_report_fetches_nothing_but_the_apps_own_files(url):
    with pytest.raises(RefusedURL):
        local_files_only(url)


def test_the_stylesheet_is_served_from_the_apps_files():
    data, mime_type = local_files_only("/static/aims/report.css")
    assert b"@page" in data
    assert mime_type == "text/css"


def test_a_pdf_leaves_out_what_it_may_not_fetch_and_renders_the_rest():
    html = (
        '<html><body><h1>Readiness</h1><img src="http://10.0.0.1/x.png">'
        + "<p>line</p>" * 200
        + "</body></html>"
    )
    text, pages = pdf_text(pdf_bytes(html))
    assert "Readiness" in text
    assert pages >= 2


def test_the_report_page_and_its_pdf_name_the_organization(world):
    request = RequestFactory().get("/")
    request.org = world.org
    request.user = world.owner
    context = {"title": "Nonconformity register"}
    page = report(request, "core/report.html", context, name="register")
    assert page.status_code == 200
    assert "Acme Lending" in page.content.decode()
    assert "report.css" in page.content.decode()
    pdf = report(request, "core/report.html", context, name="register", as_pdf=True)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith('attachment; filename="register-acme-lending-')
    text, pages = pdf_text(pdf.content)
    assert "Acme Lending" in text and "Nonconformity register" in text
    assert pages == 1
    assert "Page 1 of 1" in text  # the stylesheet was applied: its footer is there


def test_a_file_name_keeps_to_ascii_letters_digits_and_dashes(world):
    world.org.slug = "acme"
    name = filename_for('review "2026"/../x', world.org, "pdf")
    assert name.startswith("review-2026-x-acme-") and name.endswith(".pdf")
