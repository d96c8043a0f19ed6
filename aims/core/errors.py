"""Refusals that areas raise and every interface answers alike."""

from django.core.exceptions import PermissionDenied, ValidationError


class Refused(ValidationError):
    """A rule of the AIMS refuses a request that is valid in form: a stage gate not met, say.

    Pages show the message; the API answers ``status`` (409) with ``detail``, the field errors
    of :meth:`api_errors` and the extra members of :meth:`api_extra`.
    """

    status = 409

    def api_detail(self) -> str:
        return " ".join(self.messages)

    def api_errors(self) -> list[dict]:
        return [{"field": None, "message": message} for message in self.messages]

    def api_extra(self) -> dict:
        return {}


class NeedsAuthority(PermissionDenied):
    """A change only someone with decision authority may make (an Owner, an AIMS Manager or top
    management): pages offer to propose it instead; the API answers 403 with the rule."""
