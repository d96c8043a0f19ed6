"""The ``aims`` console script: a thin wrapper over Django management commands.

aims run [--host H] [--port P] [--workers N] [--no-demo] [--no-worker]
aims worker [--once] [--interval S]
aims demo [--username U] [--password P]
aims createadmin --username U [--email E] [--password P | --password-stdin] [--org NAME]
aims catalog load
aims audit verify [--org SLUG]
aims evidence verify [--org SLUG]
aims package verify PACKAGE.zip [--public-key KEY]
aims manage <any django-admin command>
"""

from __future__ import annotations

import argparse
import os
import sys

from aims.demo import DEMO_PASSWORD, DEMO_USERNAME  # no Django needed to read them


def _setup(debug_default: str | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    if debug_default is not None:
        os.environ.setdefault("AIMS_DEBUG", debug_default)
    import django

    django.setup()


def _call(name: str, *args, **options) -> None:
    from django.core.management import call_command

    call_command(name, *args, **options)


def cmd_run(args) -> int:
    """Migrate, load the catalog and the demo, collect static files, then serve with gunicorn."""
    _setup(debug_default="0")
    from django.conf import settings

    print(f"OpenAIMS: data folder {settings.DATA_DIR}", flush=True)
    try:
        _call("migrate", interactive=False, verbosity=0)
    except Exception as exc:  # noqa: BLE001 - any failure must stop the start, not serve
        print(f"Migrations failed, not serving a half-migrated database:\n  {exc}", file=sys.stderr)
        return 1
    _call("catalog_load")
    login_hint = "log in with an account made by `aims createadmin`"
    if not args.no_demo:
        from aims.demo.loader import load_demo
        from aims.organizations.models import Organization

        if not Organization.objects.exists():
            print("Loading the demo organization (Northwind Credit)…", flush=True)
            load_demo(username=DEMO_USERNAME, password=DEMO_PASSWORD)
        if Organization.objects.filter(slug="northwind-credit").exists():
            login_hint = f"demo login: user {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}"
    _call("collectstatic", interactive=False, verbosity=0)
    if not args.no_worker:
        import subprocess  # here only: `aims check` starts faster without it

        # Background check runs: a supervisor keeps the worker running (restarting it when it
        # dies) and stops it when the server (this pid, gunicorn after the exec below) is gone.
        subprocess.Popen(
            [sys.executable, "-m", "aims.cli", "supervise-worker", "--parent-pid", str(os.getpid())]
        )
    url = f"http://{args.host}:{args.port}"
    worker = "" if args.no_worker else "; background worker started"
    print(f"\nOpenAIMS is serving on {url}  ({login_hint}{worker})\n", flush=True)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "aims.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    os.execv(sys.executable, argv)
    return 0  # not reached


def cmd_demo(args) -> int:
    _setup()
    from aims.demo.loader import load_demo

    org, user, created = load_demo(username=args.username, password=args.password)
    state = "Loaded" if created else "Already present:"
    print(f"{state} {org.name}. Log in as {user.get_username()!r} with password {args.password!r}.")
    return 0


def add_createadmin_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of ``createadmin``: this command's and the management command's (which calls
    this), so the two can never differ."""
    parser.add_argument("--username", required=True, help="the new user's username")
    parser.add_argument("--email", default="", help="the new user's e-mail address")
    password = parser.add_mutually_exclusive_group()
    password.add_argument(
        "--password", help="the password (visible in the shell history: prefer the prompt)"
    )
    password.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )
    parser.add_argument("--org", help="name of an organization to create, owned by this user")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``aims`` command but ``aims check`` (:mod:`aims.metrics.cli` has its
    own, so that a pipeline never loads Django). Every flag says what it does in ``--help``."""
    parser = argparse.ArgumentParser(prog="aims", description="OpenAIMS: AI management system.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="migrate, load catalog and demo, serve with gunicorn")
    run.add_argument(
        "--host",
        default=os.environ.get("AIMS_HOST", "127.0.0.1"),
        help="address to listen on (default %(default)s; AIMS_HOST)",
    )
    run.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("AIMS_PORT", "8000")),
        help="port to listen on (default %(default)s; AIMS_PORT)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("AIMS_WORKERS", "2")),
        help="gunicorn worker processes (default %(default)s; AIMS_WORKERS)",
    )
    run.add_argument("--no-demo", action="store_true", help="do not create the demo organization")
    run.add_argument(
        "--no-worker", action="store_true", help="do not start `aims worker` alongside the server"
    )
    run.set_defaults(func=cmd_run)

    worker = sub.add_parser(
        "worker", help="run background check runs and start scheduled checks when due"
    )
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.add_argument("--interval", help="seconds between rounds when idle (default 1)")
    worker.add_argument(
        "--parent-pid", help="exit when this process is gone (`aims run` passes its own)"
    )
    worker.set_defaults(
        func=lambda a: _django(
            "worker", *(["--once"] if a.once else []), *_flags(a, "interval", "parent_pid")
        )
    )

    supervise = sub.add_parser(
        "supervise-worker", help="keep `aims worker` running (started by `aims run`)"
    )
    supervise.add_argument(
        "--parent-pid",
        type=int,
        required=True,
        help="stop the worker, then exit, when this process (the server) is gone",
    )
    supervise.set_defaults(func=lambda a: _supervise(a.parent_pid))

    demo = sub.add_parser("demo", help="load the demo organization (idempotent)")
    demo.add_argument(
        "--username", default=DEMO_USERNAME, help="the demo Owner's username (default %(default)s)"
    )
    demo.add_argument(
        "--password", default=DEMO_PASSWORD, help="the demo Owner's password (default %(default)s)"
    )
    demo.set_defaults(func=cmd_demo)

    admin = sub.add_parser(
        "createadmin",
        help="create a user, optionally owning a new organization",
        description="Create a user who can log in, and optionally a new organization that they "
        "own. Without --password or --password-stdin the password is asked for, twice, when a "
        "terminal is there.",
    )
    add_createadmin_arguments(admin)
    admin.set_defaults(
        func=lambda a: _django(
            "createadmin",
            *_flags(a, "username", "email", "password", "org"),
            *(["--password-stdin"] if a.password_stdin else []),
        )
    )

    catalog = sub.add_parser("catalog", help="the standards catalog")
    catalog_sub = catalog.add_subparsers(dest="action", required=True, metavar="ACTION")
    catalog_sub.add_parser("load", help="load the shipped frameworks (idempotent)").set_defaults(
        func=lambda a: _django("catalog_load")
    )

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = audit_sub.add_parser("verify", help="recompute the hash chain of every organization")
    verify.add_argument("--org", metavar="SLUG", help="only this organization")
    verify.set_defaults(func=lambda a: _django("audit_verify", *_flags(a, "org")))

    evidence = sub.add_parser("evidence", help="stored evidence files")
    evidence_sub = evidence.add_subparsers(dest="action", required=True, metavar="ACTION")
    evidence_verify = evidence_sub.add_parser(
        "verify", help="re-hash every stored file; name the altered or missing ones"
    )
    evidence_verify.add_argument("--org", metavar="SLUG", help="only this organization's files")
    evidence_verify.set_defaults(func=lambda a: _django("evidence_verify", *_flags(a, "org")))

    package = sub.add_parser("package", help="the certification evidence package")
    package_sub = package.add_subparsers(dest="action", required=True, metavar="ACTION")
    package_verify = package_sub.add_parser(
        "verify",
        help="re-hash every file of a package, name any altered, missing or added file, and "
        "check the signature (no server or database needed)",
    )
    package_verify.add_argument(
        "package", metavar="PACKAGE.zip", help="the ZIP downloaded from the Evidence package page"
    )
    package_verify.add_argument(
        "--public-key",
        metavar="KEY",
        help="the organization's public key (PEM file, or its base64 as the app shows it)",
    )
    package_verify.set_defaults(func=_verify_package)

    oscal = sub.add_parser("oscal", help="OSCAL 1.2.1 JSON documents of an organization")
    oscal_sub = oscal.add_subparsers(dest="action", required=True, metavar="ACTION")
    oscal_export = oscal_sub.add_parser(
        "export", help="write the catalog, SoA, readiness, audit or POA&M document"
    )
    oscal_export.add_argument(
        "kind",
        choices=(
            "catalog",
            "soa-profile",
            "soa-components",
            "additional-controls",
            "readiness",
            "audit",
            "poam",
        ),
        help="which document",
    )
    oscal_export.add_argument("--org", required=True, metavar="SLUG", help="the organization")
    oscal_export.add_argument(
        "--record", metavar="ID", help="the readiness assessment's number, or the audit's id"
    )
    oscal_export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    oscal_export.add_argument(
        "--base-url", metavar="URL", help="the site's address, for absolute links"
    )
    oscal_export.set_defaults(
        func=lambda a: _django(
            "oscal_export", a.kind, *_flags(a, "org", "record", "output", "base_url")
        )
    )

    sub.add_parser(
        "check",
        help="run a fairness, performance, drift or quality check on a file (`aims check --help`)",
        add_help=False,  # `aims check` is parsed by aims.metrics.cli, before this parser
    )
    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        metavar="COMMAND ...",
        help="the management command and its arguments, as `manage.py` takes them",
    )
    manage.set_defaults(func=lambda a: _django(*a.args))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        # Runs in ML pipelines without a server or a database: no Django here.
        from aims.metrics.cli import main as check_main

        return check_main(argv)
    args = build_parser().parse_args(argv)
    return args.func(args)


def _supervise(parent_pid: int) -> int:
    from aims.core.supervisor import supervise

    return supervise(parent_pid)


def _verify_package(args) -> int:
    from aims.package.manifest import main as verify_main  # no Django: runs anywhere

    return verify_main(args.package, args.public_key)


def _flags(args, *names: str) -> list[str]:
    out = []
    for name in names:
        value = getattr(args, name, None)
        if value:  # one word "--name=value": a value that starts with "-" stays a value
            out.append(f"--{name.replace('_', '-')}={value}")
    return out


def _django(*argv: str) -> int:
    """Run a management command the way ``manage.py`` would: errors print, exit code 1."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["aims", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
