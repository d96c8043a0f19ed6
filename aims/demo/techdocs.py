"""The demo organization's records of this area (written by the area's author)."""


def load(org, *, people, systems, risks, today) -> None:
    """Nothing yet."""
