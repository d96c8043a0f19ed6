"""The README tells how to start on another port and how to call `aims`, and the flags it shows
are the ones the commands take."""

import argparse
import re
from pathlib import Path

from aims.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def subparser(*path: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser


def test_the_readme_says_how_to_choose_the_port_and_the_makefile_honours_it():
    intro = README.split("## What it is", 1)[0]
    assert "make run PORT=8080" in intro
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^PORT \?= 8000$", makefile, re.M)
    assert "aims run --port $(PORT)" in makefile


def test_the_readme_says_how_to_call_aims():
    intro = README.split("## What it is", 1)[0]
    assert ".venv/bin/aims" in intro and "source .venv/bin/activate" in intro
    command = section("The `aims` command")
    assert ".venv/bin/aims" in command and "source .venv/bin/activate" in command
    assert "--password-stdin" in command


def test_every_flag_the_readme_shows_is_a_flag_of_its_command():
    block = re.search(r"```sh\n(.*?)```", section("The `aims` command"), re.S).group(1)
    checked = 0
    for line in block.splitlines():
        code = line.split("  #", 1)[0]
        found = re.search(r"\baims ([a-z-]+)(?: (load|verify|export)\b)?(.*)", code)
        if not found or found.group(1) in {"check", "manage"}:
            continue
        command = [found.group(1), *([found.group(2)] if found.group(2) else [])]
        options = subparser(*command)._option_string_actions
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", found.group(3)):
            assert flag in options, (line, flag)
            checked += 1
    assert checked >= 6
