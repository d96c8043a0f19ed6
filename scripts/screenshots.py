"""Screenshots of the demo dashboard for the README: docs/dashboard-390.png (a phone, with the
menu open beside it in docs/dashboard-390-menu.png) and docs/dashboard-1400.png (a wide screen).

`make screenshots` runs it: the demo is loaded into a temporary data folder, served by
`aims run --no-worker` on a free port, and photographed with Playwright driving Debian's Chromium
(/usr/bin/chromium). Nothing of the developer's own ./data is read or changed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
AIMS = Path(sys.executable).parent / "aims"
USERNAME, PASSWORD = "demo", "northwind-demo-2026"
SIZES = {"1400": {"width": 1400, "height": 900}, "390": {"width": 390, "height": 844}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}) before serving")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


def photograph(base: str) -> list[Path]:
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        for name, size in SIZES.items():
            context = browser.new_context(base_url=base, viewport=size)
            page = context.new_page()
            page.goto("/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url("**/o/*/")
            # The bell's count comes by htmx after the page: once swapped in, it has no hx-get.
            page.wait_for_selector("#notice-count:not([hx-get])", state="attached")
            path = DOCS / f"dashboard-{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
            if name == "390":
                page.get_by_role("button", name="Menu", exact=True).click()
                path = DOCS / f"dashboard-{name}-menu.png"
                page.screenshot(path=str(path))
                saved.append(path)
            context.close()
        browser.close()
    return saved


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 1
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="aims-screenshots-") as data:
        env = {**os.environ, "AIMS_DATA_DIR": data, "AIMS_ENV": "development"}
        env.pop("DATABASE_URL", None)  # SQLite in the temporary folder
        log = open(Path(data) / "server.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [str(AIMS), "run", "--no-worker", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/login/", server)
            saved = photograph(f"http://127.0.0.1:{port}")
        except BaseException:
            log.flush()
            print((Path(data) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    for path in saved:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
