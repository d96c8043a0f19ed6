"""The `aims` console script: demo, createadmin, catalog load, audit verify, run and its worker."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from aims.cli import main
from aims.organizations.models import Membership, Organization, Role

ROOT = Path(__file__).resolve().parents[1]


def test_demo_loads_once_and_prints_the_login(db, capsys):
    assert main(["demo", "--password", "a-demo-pass-2026"]) == 0
    assert "Log in as 'demo'" in capsys.readouterr().out
    org = Organization.objects.get(slug="northwind-credit")
    counts = (org.ai_systems.count(), org.risks.count(), org.evidence.count())
    assert counts[0] == 3 and counts[1] >= 10 and counts[2] >= 3
    assert main(["demo", "--password", "a-demo-pass-2026"]) == 0
    assert "Already present" in capsys.readouterr().out
    assert (org.ai_systems.count(), org.risks.count(), org.evidence.count()) == counts


def test_createadmin_makes_an_owner_of_a_new_organization(db, capsys):
    code = main(
        [
            "createadmin",
            "--username",
            "alice",
            "--password",
            "Str0ng-enough-pass",
            "--org",
            "Alice Analytics",
        ]
    )
    assert code == 0
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password("Str0ng-enough-pass")
    membership = Membership.objects.get(user=alice)
    assert membership.role == Role.OWNER and membership.organization.name == "Alice Analytics"


def test_createadmin_refuses_a_weak_password_and_saves_nothing(db, capsys):
    assert main(["createadmin", "--username", "bob", "--password", "123", "--org", "B"]) == 1
    assert "Password refused" in capsys.readouterr().err
    assert not get_user_model().objects.filter(username="bob").exists()
    assert not Organization.objects.filter(name="B").exists()


def test_catalog_load_reports_no_change_on_a_loaded_catalog(db, capsys):
    assert main(["catalog", "load"]) == 0
    assert "Catalog unchanged" in capsys.readouterr().out


def test_an_unknown_command_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["frobnicate"])
    assert excinfo.value.code == 2


def test_run_stops_without_serving_when_migrations_fail(tmp_path):
    # A database file that is not a database: migrate fails, and nothing is served.
    bad = tmp_path / "aims.sqlite3"
    bad.write_bytes(b"this is not an sqlite database" * 100)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIMS_")}
    env.update(AIMS_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{bad}")
    result = subprocess.run(
        [sys.executable, "-m", "aims.cli", "run", "--port", "8999"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "Migrations failed, not serving" in result.stderr
    assert "serving on" not in result.stdout


def _children(pid: int) -> dict[int, str]:
    """Processes whose parent is ``pid``, with their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_run_starts_the_worker_and_the_worker_stops_with_the_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMS_", "DJANGO"))}
    env.update(AIMS_DATA_DIR=str(tmp_path), AIMS_WORKER_INTERVAL="0.2")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "aims.cli", "run", "--port", str(port), "--no-demo"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 90
        workers: dict[int, str] = {}
        while time.monotonic() < deadline and not workers:
            assert server.poll() is None, log.read_text()
            workers = {p: c for p, c in _children(server.pid).items() if "aims.cli worker" in c}
            time.sleep(0.2)
        assert len(workers) == 1, _children(server.pid)
        (worker,) = workers
        assert f"--parent-pid {server.pid}" in workers[worker]
        server.terminate()  # gunicorn stops; the worker notices its parent is gone
        server.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.2)
        assert not _alive(worker)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
