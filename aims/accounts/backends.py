"""The lockout check in front of Django's password check (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its username and address are locked out.

    Every sign-in over HTTP passes the request, so it is always checked. Code that
    authenticates without a request (``Client.login`` in tests, the shell) is not a sign-in
    attempt anyone can repeat from outside, and is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
