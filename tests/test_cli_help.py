"""Every flag of every `aims` command says what it does in `--help`."""

import argparse

import pytest
from django.core.management import get_commands, load_command_class

from aims.cli import build_parser
from aims.metrics.cli import build_parser as build_check_parser

# The Django management commands `aims` runs (`aims worker` is `worker`, and so on).
DELEGATED = [
    "createadmin",
    "worker",
    "catalog_load",
    "audit_verify",
    "evidence_verify",
    "load_demo",
]


def walk(parser: argparse.ArgumentParser, prog: str):
    """(command, argument, help) for every argument and subcommand, at every depth."""
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                yield prog, name, helps.get(name)
                yield from walk(subparser, f"{prog} {name}")
            continue
        yield prog, "/".join(action.option_strings) or action.dest, action.help


def parsers():
    yield "aims", build_parser()
    yield "aims check", build_check_parser()
    commands = get_commands()
    for name in DELEGATED:
        yield (
            f"manage.py {name}",
            load_command_class(commands[name], name).create_parser("manage.py", name),
        )


def undocumented() -> list[str]:
    return [
        f"{command} {argument}"
        for prog, parser in parsers()
        for command, argument, help in walk(parser, prog)
        if not help or help == argparse.SUPPRESS or not help.strip()
    ]


def test_every_flag_of_every_aims_command_has_help():
    assert undocumented() == []


def test_the_walk_finds_a_flag_without_help(monkeypatch):
    real = build_parser

    def with_a_bare_flag():
        parser = real()
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        sub.choices["run"].add_argument("--bare")
        return parser

    monkeypatch.setattr(f"{__name__}.build_parser", with_a_bare_flag)
    assert undocumented() == ["aims run --bare"]


def test_it_walks_every_command_and_the_subcommands_below_them():
    seen = {(command, argument) for prog, p in parsers() for command, argument, _ in walk(p, prog)}
    for expected in [
        ("aims", "createadmin"),
        ("aims createadmin", "--password-stdin"),
        ("aims audit", "verify"),
        ("aims audit verify", "--org"),
        ("aims check fairness", "--reference-group"),
        ("aims check quality", "--min-rows"),
        ("manage.py worker", "--interval"),
    ]:
        assert expected in seen, expected


@pytest.mark.parametrize("argv", [["--help"], ["createadmin", "--help"], ["audit", "verify", "-h"]])
def test_help_prints_and_exits_0(argv, capsys):
    from aims.cli import main

    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 0
    assert "usage: aims" in capsys.readouterr().out
