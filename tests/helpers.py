"""What tests share beyond conftest's fixtures: an API client with a token, risks, and AI
systems that meet the stage gates.

The gates ask, besides an owner and an intended use, for an EU AI Act tier that is classified
(not prohibited; a high-risk system has more requirements) and, from deployment on, a risk
assessment: assessed risks naming the system, or a signed "no significant risks identified" in
its present stage. A test about something else gets there through these helpers.
"""

from __future__ import annotations

import json

from django.test import Client

from aims.inventory.models import AISystem, RiskTier, Stage
from aims.inventory.services import move_to_stage, save_system
from aims.organizations.tokens import issue_token
from aims.risk.models import Category, Risk, RiskAssessmentSignOff
from aims.risk.services import save_risk, sign_no_significant_risks

CONCLUSION = (
    "Data, model, intended use and the people affected were assessed in a workshop with the "
    "owner and the AIMS manager; no risk reaches the medium level."
)


def gate_ready(**fields) -> dict:
    """The fields of a system that meets every gate requirement of its own description: an
    intended use and a classified tier with no extra requirement (limited risk)."""
    fields.setdefault("intended_use", "Advice to loan officers, who decide.")
    fields.setdefault("risk_tier", RiskTier.LIMITED)
    return fields


def make_system(organization, *, actor, name: str = "Credit scoring", **fields) -> AISystem:
    """A system registered by ``actor``, ready for the gates (see :func:`gate_ready`)."""
    fields.setdefault("purpose", "Scores consumer credit applications.")
    fields.setdefault("owner", actor)
    system = AISystem(organization=organization, name=name, **gate_ready(**fields))
    return save_system(system, actor=actor)


def sign_off(system: AISystem, *, actor, conclusion: str = CONCLUSION) -> RiskAssessmentSignOff:
    """A signed "no significant risks identified" in the system's present stage."""
    return sign_no_significant_risks(system, actor=actor, conclusion=conclusion)


def needs_risk_assessment(system: AISystem, target: Stage) -> bool:
    """Whether entering ``target`` asks for a risk assessment that the system lacks."""
    return (
        target.index >= Stage.DEPLOYMENT.index
        and not Risk.objects.assessed_for(system).exists()
        and RiskAssessmentSignOff.objects.current_for(system) is None
    )


def move_through(
    system: AISystem, to_stage: Stage, *, actor, signer=None, reason: str = "Setting up."
) -> AISystem:
    """Move ``system`` forward one stage at a time to ``to_stage``; before each stage that asks
    for a risk assessment the system lacks, ``signer`` (``actor`` unless given, who then needs
    authority) signs "no significant risks identified"."""
    system.refresh_from_db()
    for target in Stage.sequence()[Stage(system.stage).index + 1 : Stage(to_stage).index + 1]:
        if needs_risk_assessment(system, target):
            sign_off(system, actor=signer or actor)
        move_to_stage(system, to_stage=target, actor=actor, reason=reason)
        system.refresh_from_db()
    return system


def make_risk(
    organization,
    *,
    actor,
    likelihood: int = 2,
    impact: int = 2,
    title: str = "Unfair refusals",
    category: str = Category.FAIRNESS,
    systems=None,
    **fields,
) -> Risk:
    """A risk of the register, scored ``likelihood`` × ``impact``, saved by ``actor``."""
    risk = Risk(
        organization=organization,
        title=title,
        category=category,
        inherent_likelihood=likelihood,
        inherent_impact=impact,
        **fields,
    )
    return save_risk(risk, actor=actor, systems=systems)


class ApiClient:
    """A Django test client that calls the API with a personal token.

    api = ApiClient.for_member(user, organization)
    response = api.post("/api/v1/systems", {"name": "Credit scoring", "purpose": "…"})
    """

    def __init__(self, secret: str | None):
        self.secret = secret
        self.client = Client()

    @classmethod
    def for_member(cls, user, organization, *, name: str = "test") -> ApiClient:
        _, secret = issue_token(user=user, organization=organization, name=name)
        return cls(secret)

    def headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(path, params or {}, **self.headers())

    def post(self, path: str, data=None):
        return self.client.post(
            path,
            data if data is not None else {},
            content_type="application/json",
            **self.headers(),
        )

    def patch(self, path: str, data=None):
        return self.client.patch(
            path,
            data if data is not None else {},
            content_type="application/json",
            **self.headers(),
        )

    def post_form(self, path: str, data: dict):
        """A multipart POST, e.g. evidence with files."""
        return self.client.post(path, data, **self.headers())

    def raw(self, method: str, path: str, body: str, content_type: str = "application/json"):
        return self.client.generic(method, path, body, content_type=content_type, **self.headers())

    def call(self, method: str, path: str, data=None):
        """Any operation, e.g. from :func:`aims.api.urls.operation_access`."""
        if method == "GET":
            return self.get(path)
        if method == "POST":
            return self.post(path, data)
        if method == "PATCH":
            return self.patch(path, data)
        return self.raw(method, path, json.dumps(data if data is not None else {}))
