"""Registered by this area: see aims/core/areas.py."""
