"""Northwind Credit's competences, courses, who needs what and the training its people did.

One competence is expiring within 20 days (Tom's fairness testing), one has expired (Daniel's
EU AI Act course) and one is missing (nobody trained Tom on data protection for ML)."""

from __future__ import annotations

import datetime as dt

from aims.catalog.models import Clause, Control
from aims.competence.models import Competence, Course, TrainingRecord
from aims.competence.services import record_training, save_competence, save_course
from aims.organizations.models import Role

# name, description, roles that need it, usernames that need it besides
COMPETENCES = [
    (
        "AI risk assessment",
        "Identifies what could go wrong with an AI system, for applicants and for the "
        "company, and scores it on the risk matrix.",
        [Role.OWNER, Role.MANAGER],
        ["tom.becker"],
    ),
    (
        "Fairness testing",
        "Chooses the groups and metrics for a credit model, runs the checks and reads the "
        "results against the thresholds.",
        [Role.CONTRIBUTOR],
        [],
    ),
    (
        "EU AI Act basics",
        "Knows which of our systems are high-risk under the AI Act and what that asks of "
        "providers and deployers.",
        [Role.OWNER, Role.MANAGER, Role.AUDITOR],
        ["daniel.okafor"],
    ),
    (
        "Data protection for ML",
        "Applies data minimisation, lawful basis and retention rules to training and "
        "monitoring data.",
        [Role.CONTRIBUTOR],
        [],
    ),
    (
        "Model risk management",
        "Validates models independently, documents limitations and challenges assumptions, "
        "as banking supervisors expect.",
        [Role.MANAGER, Role.AUDITOR],
        [],
    ),
    (
        "AI policy awareness",
        "Knows the AI policy, what it asks of them and whom to tell about an AI incident.",
        [Role.OWNER, Role.MANAGER, Role.CONTRIBUTOR, Role.AUDITOR, Role.VIEWER],
        [],
    ),
]

# title, provider, competences given, validity in months (None: no expiry), description
COURSES = [
    (
        "EU AI Act for practitioners",
        "Lumen Compliance Academy",
        ["EU AI Act basics"],
        24,
        "Two half-days on risk classes, obligations of providers and deployers, and timelines.",
    ),
    (
        "Fairness testing with OpenAIMS",
        "Internal (AI governance team)",
        ["Fairness testing"],
        12,
        "Hands-on: defining sensitive features, running parity checks on the validation log.",
    ),
    (
        "Model risk management (SR 11-7 style)",
        "Banking Risk Institute",
        ["Model risk management", "AI risk assessment"],
        36,
        "Model inventory, validation, effective challenge and ongoing monitoring.",
    ),
    (
        "Privacy engineering for ML",
        "Northwind Data Protection Office",
        ["Data protection for ML"],
        24,
        "Data minimisation, pseudonymisation and retention for training data.",
    ),
    (
        "AI policy awareness e-learning",
        "Internal (learning system)",
        ["AI policy awareness"],
        12,
        "Twenty minutes: the AI policy, acceptable use of assistants, reporting an incident.",
    ),
]


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    clause_72 = list(Clause.objects.filter(ref__in=["7.2", "7.3"]))
    control_a46 = list(Control.objects.filter(ref="A.4.6"))
    competences = {}
    for name, description, roles, usernames in COMPETENCES:
        competences[name] = save_competence(
            Competence(organization=org, name=name, description=description),
            actor=manager,
            roles=roles,
            people=[people[u] for u in usernames],
            clauses=[c for c in clause_72 if c.ref == ("7.3" if "awareness" in name else "7.2")],
            controls=control_a46,
        )
    courses = {}
    for title, provider, gives, months, description in COURSES:
        courses[title] = save_course(
            Course(
                organization=org,
                title=title,
                provider=provider,
                validity_months=months,
                description=description,
            ),
            actor=manager,
            competences=[competences[name] for name in gives],
        )

    def trained(username, title, days_ago, *, expires_in=None, evidence=""):
        record_training(
            TrainingRecord(
                organization=org,
                person=people[username],
                course=courses[title],
                completed_on=today - dt.timedelta(days=days_ago),
                expires_on=today + dt.timedelta(days=expires_in)
                if expires_in is not None
                else None,
                evidence=evidence,
            ),
            actor=manager,
            today=today,
        )

    awareness = "AI policy awareness e-learning"
    for username in ("demo", "priya.shah", "tom.becker", "ines.moreau", "daniel.okafor"):
        trained(username, awareness, 40, evidence="Learning system completion report")
    trained("demo", "EU AI Act for practitioners", 200, evidence="Certificate LCA-2291")
    trained("priya.shah", "EU AI Act for practitioners", 200, evidence="Certificate LCA-2292")
    trained("demo", "Model risk management (SR 11-7 style)", 300, evidence="BRI-77810")
    trained("priya.shah", "Model risk management (SR 11-7 style)", 300, evidence="BRI-77811")
    trained("ines.moreau", "Model risk management (SR 11-7 style)", 120, evidence="BRI-80114")
    trained("ines.moreau", "EU AI Act for practitioners", 90, evidence="Certificate LCA-2410")
    # Tom: fairness testing expires in 20 days; no data protection course yet (a gap).
    trained(
        "tom.becker",
        "Fairness testing with OpenAIMS",
        345,
        expires_in=20,
        evidence="Internal workshop sign-in sheet",
    )
    trained("tom.becker", "Model risk management (SR 11-7 style)", 60, evidence="BRI-81002")
    # Daniel's EU AI Act course has expired.
    trained(
        "daniel.okafor",
        "EU AI Act for practitioners",
        760,
        expires_in=-30,
        evidence="Certificate LCA-1032",
    )
