"""A tiny area installed only under the test settings (tests/settings.py): it proves a new area
plugs in through its area.py alone, without editing any ground-floor file."""
