"""The kinds of record this area keeps about one AI system, for the pages and the API alike:
what each is called, the article it answers, where it shows on the system's EU AI Act page and
the URL parameter that names one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import (
    ConformityAssessment,
    Declaration,
    LogRetention,
    MonitoringPlan,
    OversightMeasure,
    Registration,
    SystemRecord,
    TransparencyNotice,
)


@dataclass(frozen=True)
class RecordKind:
    slug: str  # in URLs and url names: act_<slug>_create, act_<slug>_edit, act_<slug>_delete
    model: type[SystemRecord]
    label: str
    plural: str
    article: str
    help: str  # what it is for, in a sentence

    @property
    def param(self) -> str:
        return self.model.param

    @property
    def anchor(self) -> str:
        return self.slug

    def url_name(self, action: str) -> str:
        return f"act_{self.slug}_{action}"

    def records(self, system) -> models.QuerySet:
        return self.model.objects.filter(system=system)


KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "oversight",
        OversightMeasure,
        "Human oversight measure",
        "Human oversight measures",
        "Art. 14, 26(2)",
        "Who oversees the system, with what authority and training, and how they override it.",
    ),
    RecordKind(
        "notice",
        TransparencyNotice,
        "Transparency notice",
        "Transparency notices",
        "Art. 50, 26(7), 26(11)",
        "What users and affected persons are told, where, and since when.",
    ),
    RecordKind(
        "logs",
        LogRetention,
        "Log retention",
        "Log retention",
        "Art. 12, 19, 26(6)",
        "Which logs are kept, where, and for how long (deployers: at least six months).",
    ),
    RecordKind(
        "monitoring",
        MonitoringPlan,
        "Post-market monitoring plan",
        "Post-market monitoring plans",
        "Art. 72",
        "How the system is watched once in use: its checks and KPIs, reviewed on a cycle.",
    ),
    RecordKind(
        "conformity",
        ConformityAssessment,
        "Conformity assessment",
        "Conformity assessments",
        "Art. 43",
        "The procedure, the notified body if any, the date, the outcome and the certificate.",
    ),
    RecordKind(
        "declaration",
        Declaration,
        "EU declaration of conformity",
        "EU declarations of conformity",
        "Art. 47, 48",
        "The signed declaration, the provider's name and address, and the CE marking.",
    ),
    RecordKind(
        "registration",
        Registration,
        "EU database registration",
        "EU database registrations",
        "Art. 49",
        "The system's id in the EU database and when it was registered.",
    ),
)

BY_SLUG = {kind.slug: kind for kind in KINDS}
BY_MODEL = {kind.model: kind for kind in KINDS}
