"""The reminders area's share of the route-walking tests.

Its pages name no record (a person's reminders are what the other areas say falls due, worked
out on each request), so there is nothing to make. Its list page is not in ``LIST_PAGES``: it has
no records of its own to seed; tests/test_reminders.py checks its query count with a ``due``
hook that returns 10 and then 1,000 items.
"""

from aims.organizations.models import Access


def make(world, records) -> dict:
    return {"api": {}, "objects": {}}


API_ACCESS = {
    ("GET", "/reminders"): Access.READ,
    ("GET", "/reminders/preferences"): Access.READ,
    ("PUT", "/reminders/preferences"): Access.READ,  # the caller's own preference only
}
