"""Demo content of the technical documentation area: Northwind Credit's documentation.

The credit scoring model went live as limited risk and was reclassified high risk in operation:
its technical documentation (Annex IV) and the information for applicants are drawn up and
approved afterwards, in :func:`load`, with the data sets of the register and the results of its
checks. The CV screening model, still in validation, has a model card in review. Any high-risk
demo system moving into deployment gets its documentation approved first (:func:`before_stage`),
since the deployment gate asks for it.
"""

from __future__ import annotations

import datetime as dt

from aims.datasets.models import DataSet
from aims.inventory.models import RiskTier, Stage
from aims.techdocs import services
from aims.techdocs.models import Audience, Kind, Status, TechnicalDocument

CREDIT = {
    "title": "Credit scoring model: technical documentation",
    "general_description": (
        "The credit scoring model estimates the probability that an applicant for a personal "
        "loan or credit card defaults within 12 months. Northwind Credit develops and operates "
        "it (provider and deployer). It runs in the lending decision engine on the bank's "
        "private cloud; underwriters see the score, its band and the top five reasons in the "
        "underwriting workbench. Intended purpose: support the lending decision and the credit "
        "limit for UK residents aged 18 or over, unsecured lending up to £25,000."
    ),
    "architecture": (
        "Gradient-boosted trees (LightGBM, 400 trees, depth 6) over 180 features, with monotonic "
        "constraints on income, existing debt and arrears so that the score moves in the "
        "expected direction. Chosen over a neural network for explainability: SHAP values give "
        "the adverse-action reasons sent to declined applicants. Calibrated with isotonic "
        "regression on the 2024 hold-out. Protected characteristics are not model inputs; "
        "proxies (postcode district) were removed after the 2023 fairness review."
    ),
    "training_data": (
        "Application data 2019–2024 (1.2 million applications) joined to repayment outcomes at "
        "12 months, and credit bureau attributes from two agencies under licence. Applications "
        "without an outcome (withdrawn, under 12 months) are excluded; reject inference uses "
        "bureau outcomes of declined applicants. Split by application date: 2019–2023 training, "
        "first half of 2024 validation, second half test."
    ),
    "evaluation": (
        "Discrimination (Gini 0.61 on the test period), calibration by score band, stability "
        "across quarters, and approval-rate parity by sex and age band. The fairness check runs "
        "monthly on the decision log; its latest results are listed below."
    ),
    "limitations": (
        "Less accurate for thin credit files (under two years of history), which are mostly "
        "applicants under 25: these are referred to an underwriter. Not valid for small-business "
        "lending, for applicants outside the UK, or as an affordability assessment. Foreseeable "
        "misuse: marketing or collections prioritisation from the score."
    ),
    "oversight": (
        "Underwriters review every referral and a 2% random sample of automated approvals each "
        "week, and may override any score with a recorded reason. The credit risk committee can "
        "switch the engine to manual referral for all applications within an hour. Monthly "
        "monitoring (drift, parity, overrides) goes to the committee."
    ),
    "logging": (
        "For every application the decision engine logs, automatically: the input features, "
        "model version, score, band, reasons, the decision and any underwriter override with "
        "its reason, with timestamps. Logs are kept in the decision log store (append-only) for "
        "seven years after the account closes, then deleted; access is restricted to model risk "
        "and internal audit."
    ),
    "robustness": (
        "Declared accuracy: Gini at least 0.55 on each quarter's applications; below it the "
        "model is reviewed. Input validation rejects out-of-range values; missing bureau data "
        "sends the application to an underwriter. The scoring service sits behind the decision "
        "engine with no external access; model files are signed and verified at load."
    ),
    "lifecycle_changes": (
        "v4.2 (current): retrained on 2019–2024 data, postcode district removed. Retraining is "
        "planned yearly and recorded as a planned change; a new version is validated "
        "independently before release."
    ),
}

CREDIT_USERS = {
    "title": "How we use automated scoring in lending decisions",
    "audience": Audience.AFFECTED,
    "user_text": (
        "When you apply for a loan or a credit card, a computer model estimates how likely you "
        "are to repay, from your application and your credit reference file. The model never "
        "declines an application on its own: applications it scores low are reviewed by an "
        "underwriter. If we decline, we tell you the main reasons. You can ask for a person to "
        "look at the decision again, or contest it, by writing to lending.review@"
        "northwind-credit.example within 30 days."
    ),
    "published_url": "https://www.northwind-credit.example/lending/automated-decisions",
    "channel": "Website, and the decision letter",
}

CV_CARD = {
    "title": "Model card: cv-rank v0.9",
    "general_description": (
        "cv-rank orders applications for contact-centre and operations roles by how well the CV "
        "matches the job's required skills, so recruiters read the most relevant ones first. It "
        "never rejects an application."
    ),
    "architecture": "DistilBERT fine-tuned as a classifier over the skills taxonomy v3.",
    "training_data": (
        "Anonymised CVs and hiring outcomes 2020–2024 (38,000 applications), with names, "
        "addresses, dates of birth and photos removed."
    ),
    "evaluation": "Ranking quality (NDCG@20) and shortlist parity by sex, in validation now.",
    "limitations": "Not trained for senior or specialist roles.",
    "oversight": "Recruiters open every application; the ranking is advisory.",
    "logging": "",
    "robustness": "",
    "lifecycle_changes": "",
}


def _approve(document, *, author, approver) -> TechnicalDocument:
    services.submit_for_review(document, actor=author)
    return services.approve(document, actor=approver)


def _credit_documents(system, *, people) -> None:
    if TechnicalDocument.objects.filter(system=system, status=Status.APPROVED).exists():
        return
    author, approver = people["priya.shah"], people["daniel.okafor"]
    datasets = list(
        DataSet.objects.filter(
            uses__system=system, uses__purpose__in=["training", "validation", "testing"]
        ).distinct()
    )
    technical = services.save_draft(
        TechnicalDocument(organization=system.organization, system=system, **CREDIT),
        actor=author,
        datasets=datasets,
    )
    _approve(technical, author=author, approver=approver)
    info = services.save_draft(
        TechnicalDocument(
            organization=system.organization,
            system=system,
            kind=Kind.USER_INFO,
            published_since=dt.date(2025, 3, 1),
            **CREDIT_USERS,
        ),
        actor=author,
    )
    _approve(info, author=author, approver=approver)


def before_stage(system, stage, *, people, risks, today) -> None:
    """A high-risk system entering deployment has approved documentation first."""
    if stage == Stage.DEPLOYMENT and system.risk_tier == RiskTier.HIGH:
        _credit_documents(system, people=people)


def load(org, *, people, systems, risks, today) -> None:
    credit = systems["credit"]
    credit.refresh_from_db()
    _credit_documents(credit, people=people)
    cv = systems["cv"]
    card = services.save_draft(
        TechnicalDocument(organization=org, system=cv, **CV_CARD),
        actor=people["tom.becker"],
    )
    services.submit_for_review(card, actor=people["tom.becker"])
