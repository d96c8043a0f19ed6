"""Production mode: refuses weak or missing settings, and passes Django's deployment checks.

Each case starts a fresh interpreter, since settings are read once at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "Kq9-vT2xLm4Pz8Rw1Ny6Hb3Jc7Fd5Gs0Ae-Ui2Oo4Yt6Er8Wq1Zx"


def run(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AIMS_", "DATABASE_URL"))}
    base = {
        "DJANGO_SETTINGS_MODULE": "aims.settings",
        "AIMS_ENV": "production",
        "AIMS_DATA_DIR": str(tmp_path),
        "AIMS_SECRET_KEY": GOOD_KEY,
        "AIMS_ALLOWED_HOSTS": "aims.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path}/aims.sqlite3",
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


SETUP = "import django; django.setup(); from django.conf import settings as s; "


def test_it_refuses_a_short_secret_key_in_production(tmp_path):
    result = run(SETUP, tmp_path, AIMS_SECRET_KEY="x")
    assert result.returncode != 0
    assert "AIMS_SECRET_KEY must be at least 50 random characters" in result.stderr


def test_it_refuses_a_long_key_of_one_repeated_character(tmp_path):
    result = run(SETUP, tmp_path, AIMS_SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "AIMS_SECRET_KEY must be at least 50" in result.stderr


def test_it_refuses_debug_in_production(tmp_path):
    result = run(SETUP, tmp_path, AIMS_DEBUG="1")
    assert result.returncode != 0
    assert "AIMS_DEBUG must be off in production" in result.stderr


def test_production_sets_hsts_secure_cookies_and_the_https_redirect(tmp_path):
    code = SETUP + (
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.DEBUG, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    result = run(code, tmp_path, AIMS_SECURE_COOKIES="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        str(365 * 86400),
        "True",
        "True",
        "True",
        "True",
        "False",
        "None",
    ]


def test_the_forwarded_proto_header_is_trusted_only_behind_a_declared_proxy(tmp_path):
    code = SETUP + "print(s.SECURE_PROXY_SSL_HEADER)"
    result = run(code, tmp_path, AIMS_BEHIND_PROXY_SSL="1")
    assert result.returncode == 0, result.stderr
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout


def test_plain_http_is_redirected_to_https_in_production(tmp_path):
    code = SETUP + (
        "from django.test import Client; "
        "r = Client().get('/login/', HTTP_HOST='aims.example.org'); "
        "print(r.status_code, r.headers.get('Location'))"
    )
    result = run(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["301", "https://aims.example.org/login/"]


def test_manage_check_deploy_passes_without_a_warning_in_production(tmp_path):
    code = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = run(code, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
