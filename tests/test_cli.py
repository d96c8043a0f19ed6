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


def _wait_for(found, seconds: float, what: str, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} not seen in {seconds:g} s:\n{log.read_text()}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_run_keeps_the_worker_running_and_stops_it_with_the_server(tmp_path):
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

    def supervisors():
        assert server.poll() is None, log.read_text()
        return [p for p, c in _children(server.pid).items() if "supervise-worker" in c]

    try:
        (supervisor,) = _wait_for(supervisors, 240, "the worker supervisor", log)
        assert f"--parent-pid {server.pid}" in _children(server.pid)[supervisor]

        def workers():
            return [p for p, c in _children(supervisor).items() if "aims.cli worker" in c]

        (worker,) = _wait_for(workers, 30, "the worker", log)
        os.kill(worker, signal.SIGKILL)  # the worker dies mid-flight: it is started again
        (restarted,) = _wait_for(
            lambda: [p for p in workers() if p != worker], 30, "a restarted worker", log
        )
        assert not _alive(worker) and _alive(restarted)
        assert "Worker exited with code -9; starting it again" in log.read_text()

        server.terminate()  # gunicorn stops; the supervisor stops the worker, then itself
        server.wait(timeout=30)
        _wait_for(lambda: not _alive(supervisor) and not _alive(restarted), 40, "the stop", log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
