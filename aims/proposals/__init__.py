"""Decisions asked for: a change that needs decision authority, proposed by someone without it."""
