"""The `aims` console script: demo, createadmin, catalog load, audit verify, run's failure path."""

import os
import subprocess
import sys
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
