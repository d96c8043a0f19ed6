"""The command-line examples in the README run as written, with the exit codes it states."""

import re
import shlex
from pathlib import Path

import pytest

from aims.cli import main

ROOT = Path(__file__).resolve().parents[1]


def examples():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Technical checks from the command line", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = block.strip().splitlines()
    pairs = []
    for command, comment in zip(lines[::2], lines[1::2], strict=True):
        code = int(re.match(r"# exit (\d)", comment).group(1))
        pairs.append((command, code))
    return pairs


@pytest.mark.parametrize(("command", "code"), examples())
def test_readme_check_example(command, code, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)
    assert argv[0] == "aims"
    assert main(argv[1:]) == code, capsys.readouterr()


def test_there_are_examples_of_every_kind():
    kinds = {shlex.split(command)[2] for command, _ in examples()}
    assert kinds == {"fairness", "performance", "drift", "quality"}


def test_every_setting_read_from_the_environment_is_documented():
    settings_source = (ROOT / "aims" / "settings.py").read_text()
    read = set(re.findall(r'"(AIMS_[A-Z_]+)"', settings_source))
    table = (ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert read and read <= set(re.findall(r"`(AIMS_[A-Z_]+)`", table)), sorted(
        read - set(re.findall(r"`(AIMS_[A-Z_]+)`", table))
    )


def test_the_readme_gives_the_demo_login_the_app_uses():
    from aims.demo import DEMO_PASSWORD, DEMO_USERNAME

    intro = (ROOT / "README.md").read_text().split("## What it is", 1)[0]
    assert f"demo user `{DEMO_USERNAME}`, password `{DEMO_PASSWORD}`" in intro
