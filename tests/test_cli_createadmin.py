"""`aims createadmin` asks for the password at a terminal, reads it from standard input with
--password-stdin, and otherwise says in one line how to give it (exit 2, no traceback)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from aims.cli import main
from aims.organizations.models import Membership, Organization

ROOT = Path(__file__).resolve().parents[1]
STRONG = "Str0ng-enough-pass"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def typed(monkeypatch, *answers: str) -> list[str]:
    """A terminal on standard input, where the person types ``answers`` at the hidden prompts;
    returns the prompts shown."""
    monkeypatch.setattr(sys, "stdin", Terminal())
    prompts, queue = [], list(answers)

    def getpass(prompt="Password: "):
        prompts.append(prompt)
        if not queue:
            raise EOFError
        return queue.pop(0)

    monkeypatch.setattr("getpass.getpass", getpass)
    return prompts


def users(username: str) -> bool:
    return get_user_model().objects.filter(username=username).exists()


def test_without_a_terminal_it_says_how_to_give_the_password_in_one_line(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["createadmin", "--username", "alice", "--org", "Alice Analytics"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "--password" in lines[0] and "--password-stdin" in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not users("alice") and not Organization.objects.filter(name="Alice Analytics").exists()


def test_without_a_terminal_as_a_process_there_is_no_traceback(tmp_path):
    """The real console script, its standard input not a terminal: one line on stderr, exit 2,
    said before the database is read (here an empty data folder: nothing is migrated)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIMS_", "DJANGO"))}
    env.update(AIMS_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "aims.cli", "createadmin", "--username", "alice"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "--password-stdin" in result.stderr and "Traceback" not in result.stderr


def test_password_stdin_reads_the_first_line(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{STRONG}\nnot read\n"))
    assert main(["createadmin", "--username", "alice", "--password-stdin", "--org", "A"]) == 0
    alice = get_user_model().objects.get(username="alice")
    assert alice.check_password(STRONG)
    assert Membership.objects.get(user=alice).organization.name == "A"
    assert "Created alice, Owner of A" in capsys.readouterr().out


def test_password_stdin_with_nothing_to_read_creates_nothing(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["createadmin", "--username", "alice", "--password-stdin"]) == 2
    assert "--password-stdin read no password" in capsys.readouterr().err
    assert not users("alice")


def test_password_stdin_is_checked_by_the_password_validators(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("alice\n"))
    assert main(["createadmin", "--username", "alice", "--password-stdin"]) == 1
    assert "Password refused" in capsys.readouterr().err
    assert not users("alice")


def test_password_and_password_stdin_together_are_refused(db, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["createadmin", "--username", "alice", "--password", STRONG, "--password-stdin"])
    assert exit.value.code == 2
    assert "not allowed with argument --password" in capsys.readouterr().err
    assert not users("alice")


def test_a_password_starting_with_a_dash_is_passed_on_as_a_value(db, capsys):
    assert main(["createadmin", "--username", "alice", f"--password=-{STRONG}"]) == 0
    assert get_user_model().objects.get(username="alice").check_password(f"-{STRONG}")


def test_at_a_terminal_it_asks_twice_until_the_validators_accept(db, monkeypatch, capsys):
    prompts = typed(
        monkeypatch,
        "short",
        "short",  # too short: asked again
        STRONG,
        "something else",  # the two differ: asked again
        STRONG,
        STRONG,
    )
    assert main(["createadmin", "--username", "alice"]) == 0
    assert prompts == ["Password: ", "Password (again): "] * 3
    err = capsys.readouterr().err
    assert "Password refused: This password is too short" in err
    assert "The passwords do not match" in err
    assert get_user_model().objects.get(username="alice").check_password(STRONG)


def test_at_a_terminal_three_refusals_create_nothing(db, monkeypatch, capsys):
    typed(monkeypatch, *["alice", "alice"] * 3)
    assert main(["createadmin", "--username", "alice", "--org", "A"]) == 1
    assert "No acceptable password after 3 tries" in capsys.readouterr().err
    assert not users("alice") and not Organization.objects.filter(name="A").exists()


def test_at_a_terminal_end_of_input_stops_without_a_traceback(db, monkeypatch, capsys):
    typed(monkeypatch)  # Ctrl-D at the first prompt
    assert main(["createadmin", "--username", "alice"]) == 1
    err = capsys.readouterr().err
    assert "No password given; nothing created." in err and "Traceback" not in err
    assert not users("alice")


def test_an_existing_username_is_refused_before_any_prompt(db, monkeypatch, capsys, world):
    prompts = typed(monkeypatch, STRONG, STRONG)
    assert main(["createadmin", "--username", world.owner.username]) == 1
    assert prompts == [] and "already exists" in capsys.readouterr().err
