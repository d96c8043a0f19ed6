"""The settings the test suite runs with: the application's own, plus a tiny area that exists
only to prove new areas plug in through their area.py (tests/fake_area)."""

from aims.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fake_area"]  # noqa: F405
