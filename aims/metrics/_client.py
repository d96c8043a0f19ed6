"""``aims check --server``: post what a check computed to OpenAIMS and read its verdict.

Only the sufficient statistics (or a row-free report) are sent; urllib from the standard
library, so the pipeline needs nothing beyond the metrics engine.
"""

from __future__ import annotations

import argparse
import json
import urllib.parse
from typing import Any

from aims.metrics import ENGINE_VERSION
from aims.metrics import thresholds as th
from aims.metrics._base import InputError

TIMEOUT = 60  # seconds to wait for the server


class Computed:
    """What one check computed: the report for display, and what a server would get (the
    fingerprint of the data only for a run that is posted: nothing else hashes the files)."""

    def __init__(
        self,
        report: dict[str, Any],
        fingerprint: dict[str, Any] | None,
        statistics: dict[str, Any] | None = None,
        posted_report: dict[str, Any] | None = None,
    ) -> None:
        self.report = report
        self.fingerprint = fingerprint
        self.statistics = statistics
        self.posted_report = posted_report


def _opener() -> Any:
    """An opener that reports a redirect (to a login page, or from http to https) and never
    follows it. urllib.request (with http.client and email, ~40 ms) is imported only here, for
    a run that is posted."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None

    return urllib.request.build_opener(NoRedirect)


def server_url(server: str, system: str) -> str:
    parsed = urllib.parse.urlsplit(server)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"--server {server}: give the http:// or https:// address of OpenAIMS")
    if not system.strip() or "/" in system:
        raise InputError(f"--system {system!r}: give the AI system's short id (its slug)")
    slug = urllib.parse.quote(system.strip(), safe="")
    return f"{server.rstrip('/')}/api/v1/systems/{slug}/check-runs"


def _server_detail(body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    if not isinstance(data, dict):
        return ""
    detail = str(data.get("detail") or "")
    errors = data.get("errors") or []
    if isinstance(errors, list):
        parts = [
            f"{e.get('field')}: {e.get('message')}" if e.get("field") else str(e.get("message"))
            for e in errors
            if isinstance(e, dict)
        ]
        if parts:
            detail = f"{detail} ({'; '.join(parts)})" if detail else "; ".join(parts)
    return detail


def post_run(args: argparse.Namespace, token: str, run: Computed) -> dict[str, Any]:
    """Post the statistics (or the row-free report) of ``run``; return the server's verdict.

    Raises `InputError` when the server cannot be reached or refuses the run.
    """
    import urllib.error
    import urllib.request

    url = server_url(args.server, args.system)
    payload = {
        "kind": args.kind,
        "check": args.check,
        "statistics": run.statistics if args.kind in ("fairness", "performance") else None,
        "report": run.posted_report if args.kind in ("drift", "quality") else None,
        "fingerprint": run.fingerprint,
        "engine_version": ENGINE_VERSION,
    }
    body = json.dumps(th._clean(payload), allow_nan=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
            "User-Agent": f"aims-check/{ENGINE_VERSION}",
        },
    )
    opener = _opener()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        try:
            detail = _server_detail(error.read() or b"")
        finally:
            error.close()
        if 300 <= error.code < 400:
            where = error.headers.get("Location", "elsewhere")
            detail = detail or f"redirected to {where}; check the --server address"
        raise InputError(
            f"{args.server} refused the run (HTTP {error.code}): {detail or error.reason}"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise InputError(f"cannot reach {args.server}: {reason}") from None
    try:
        verdict = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        verdict = None
    if not isinstance(verdict, dict) or not isinstance(verdict.get("passed"), bool):
        raise InputError(
            f"{args.server} answered HTTP {status} without a check-run verdict; "
            "check the --server address"
        )
    return verdict
