"""The content of the demo organization: its people, AI systems, risks, SoA and documents."""

from __future__ import annotations

from aims.inventory.models import Automation, OrganizationRole, RiskTier, Stage
from aims.organizations.models import Role
from aims.risk.models import Category, Status, Treatment
from aims.soa.models import Applicability, Implementation

DEMO_SLUG = "northwind-credit"

SCOPE = """\
The AI management system of Northwind Credit covers the design, development, validation, \
deployment and operation of every AI system used in consumer lending and customer service at \
the head office in Leeds and the customer contact centre in Glasgow.

In scope: the credit-scoring model for personal loans and credit cards, the CV-screening model \
used by People & Talent, and the customer-service assistant on the website and app. Northwind \
acts as AI developer and provider for the credit-scoring and CV-screening models, and as \
deployer of the third-party language model behind the assistant.

Out of scope: the fraud-detection service operated by our card processor under its own \
certification, and office productivity tools with embedded AI features."""

COLLEAGUES = [
    # username, first, last, role, top management
    ("priya.shah", "Priya", "Shah", Role.MANAGER, False),
    ("tom.becker", "Tom", "Becker", Role.CONTRIBUTOR, False),
    ("ines.moreau", "Inès", "Moreau", Role.AUDITOR, False),
    ("daniel.okafor", "Daniel", "Okafor", Role.VIEWER, True),
]

SYSTEMS = [
    {
        "key": "credit",
        "name": "Credit scoring model",
        "version": "4.2",
        "purpose": "Estimates the probability that an applicant for a personal loan or credit card "
        "defaults within 12 months, to support the lending decision and the credit limit.",
        "intended_use": "Used by the underwriting team and the automated decision engine for "
        "applicants resident in the UK aged 18 or over, for unsecured lending up to £25,000. "
        "Scores below the cut-off are referred to an underwriter; no application is declined "
        "by the model alone.",
        "foreseeable_misuse": "Using the score for marketing or collections prioritisation; "
        "applying it to small-business lending or to applicants outside the UK; treating the "
        "score as an affordability assessment.",
        "technique": "Gradient-boosted trees (LightGBM) with monotonic constraints",
        "organization_role": OrganizationRole.DEVELOPER,
        "risk_tier": RiskTier.HIGH,
        # Went live as limited risk; reclassified high risk in operation (EU AI Act Annex III
        # 5(b), creditworthiness). The stage gates guard moving forward, so it stays in
        # operation while the high-risk obligations are put in place.
        "went_live_as": RiskTier.LIMITED,
        "automation": Automation.HUMAN_ON_LOOP,
        "human_oversight": "Underwriters review every referral and a 2% random sample of "
        "automated approvals each week; the credit risk committee can switch the engine to "
        "manual referral for all applications within an hour.",
        "affected_stakeholders": "Loan and credit card applicants, underwriters, the credit "
        "risk committee, the Financial Conduct Authority.",
        "affects_individuals": True,
        "datasets": "Application data 2019–2024 (1.2 M applications); credit bureau attributes "
        "from two agencies; repayment outcomes at 12 months.",
        "models_used": "credit-pd v4.2 (LightGBM, 180 features), with SHAP explanations for "
        "adverse-action reasons.",
        "third_parties": "Two credit reference agencies (data); model validation by an "
        "external consultancy.",
        "owner": "priya.shah",
        "stages": [
            (Stage.DEVELOPMENT, "Business case approved by the credit risk committee."),
            (Stage.VALIDATION, "Model development complete; handed to independent validation."),
            (
                Stage.DEPLOYMENT,
                "Validation passed with two findings, both treated; fairness "
                "risk accepted by the CFO until the next annual review.",
            ),
            (Stage.OPERATION, "Champion/challenger period completed without incident."),
        ],
    },
    {
        "key": "cv",
        "name": "CV screening model",
        "version": "0.9",
        "purpose": "Ranks applications for contact-centre and operations roles by how well the CV "
        "matches the job's required skills, so recruiters read the most relevant ones first.",
        "intended_use": "Used by the People & Talent team to order, not reject, applications for "
        "high-volume roles. Every application is still read by a recruiter before any decision.",
        "foreseeable_misuse": "Using the ranking to reject applicants without human review; "
        "applying it to senior or specialist roles it was not trained for; inferring protected "
        "characteristics from CV content.",
        "technique": "Fine-tuned transformer text classifier (DistilBERT)",
        "organization_role": OrganizationRole.DEVELOPER,
        "risk_tier": RiskTier.HIGH,
        "automation": Automation.ADVISORY,
        "human_oversight": "Recruiters see the ranking with the matched skills highlighted and "
        "must open every application; the Head of Talent reviews shortlist diversity monthly.",
        "affected_stakeholders": "Job applicants, recruiters, hiring managers, works council.",
        "affects_individuals": True,
        "datasets": "Anonymised CVs and hiring outcomes 2020–2024 (38,000 applications), with "
        "names, addresses, dates of birth and photos removed.",
        "models_used": "cv-rank v0.9 (DistilBERT fine-tuned), skills taxonomy v3.",
        "third_parties": "Applicant tracking system vendor (integration).",
        "owner": "tom.becker",
        "stages": [
            (Stage.DEVELOPMENT, "Pilot approved by the Head of Talent and the works council."),
            (Stage.VALIDATION, "Training complete; bias testing and user testing started."),
        ],
    },
    {
        "key": "chat",
        "name": "Customer service assistant",
        "version": "1.3",
        "purpose": "Answers customers' questions about accounts, payments and products on the "
        "website and in the app, and hands over to an agent when it cannot help.",
        "intended_use": "General account and product questions from existing and prospective "
        "customers. It does not give financial advice, make lending decisions or change account "
        "data; those go to an agent.",
        "foreseeable_misuse": "Customers seeking debt or financial advice; prompt injection to "
        "obtain other customers' data; agents relying on its answers without checking.",
        "technique": "Large language model with retrieval over the help-centre articles",
        "organization_role": OrganizationRole.DEPLOYER,
        "risk_tier": RiskTier.LIMITED,
        "automation": Automation.AUTONOMOUS,
        "human_oversight": "Customers can ask for a person at any time; the contact-centre lead "
        "reviews 50 sampled conversations a week and can switch the assistant off.",
        "affected_stakeholders": "Customers, prospective customers, contact-centre agents.",
        "affects_individuals": False,
        "datasets": "Help-centre articles (412); no customer data is used for training.",
        "models_used": "Hosted general-purpose LLM via API; retrieval index rebuilt nightly.",
        "third_parties": "LLM provider (processor under a data processing agreement); cloud "
        "hosting provider.",
        "owner": "priya.shah",
        "stages": [
            (Stage.DEVELOPMENT, "Vendor selected after a security and privacy assessment."),
            (Stage.VALIDATION, "Prompt and retrieval configuration frozen for testing."),
            (
                Stage.DEPLOYMENT,
                "Red-team test and accessibility review passed; released to all customers.",
            ),
        ],
    },
]

# ref, systems, title, category, source, controls, owner, L, I, treatment, residual (L, I) or
# None, status, accept (None, "accept"), review offset in days (negative: overdue), description
RISKS = [
    (
        "credit",
        "Credit scores disadvantage younger applicants",
        Category.FAIRNESS,
        "C.3.4",
        ["A.5.4", "A.7.4", "A.6.2.4"],
        "priya.shah",
        4,
        5,
        Treatment.MODIFY,
        (4, 4),
        Status.IN_TREATMENT,
        "accept",
        60,
        "Thin credit files could lower approval rates for applicants under 25 compared with "
        "older applicants of similar repayment outcomes. The age-band parity check on the "
        "validation log found the gap within 0.1; it is re-run monthly on live decisions.",
    ),
    (
        "credit",
        "Approval rates differ between women and men",
        Category.FAIRNESS,
        "C.3.4",
        ["A.5.4", "A.6.2.4"],
        "priya.shah",
        3,
        4,
        Treatment.MODIFY,
        (2, 3),
        Status.TREATED,
        None,
        30,
        "Historic lending data under-represents women with thin files; the sex parity check "
        "compares approval rates before each release.",
    ),
    (
        "credit",
        "Model drift after interest-rate changes",
        Category.OPERATIONAL,
        "C.3.1",
        ["A.6.2.6", "A.6.2.8"],
        "tom.becker",
        3,
        4,
        Treatment.MODIFY,
        (2, 3),
        Status.TREATED,
        None,
        90,
        "Default rates shift when rates move; the model was trained mostly on a low-rate period.",
    ),
    (
        "credit",
        "Applicants cannot get a meaningful explanation of a decline",
        Category.TRANSPARENCY,
        "C.3.2",
        ["A.8.2", "A.9.2"],
        "priya.shah",
        3,
        3,
        Treatment.MODIFY,
        (2, 2),
        Status.TREATED,
        None,
        -14,
        "Adverse-action reasons must be specific and understandable to the applicant.",
    ),
    (
        "credit",
        "Credit bureau data used beyond its licensed purpose",
        Category.LEGAL,
        "C.3.6",
        ["A.7.3", "A.7.5", "A.10.3"],
        "priya.shah",
        2,
        4,
        Treatment.MODIFY,
        None,
        Status.IDENTIFIED,
        None,
        120,
        "Bureau licences restrict use to credit decisions; reuse for marketing would breach them.",
    ),
    (
        "cv",
        "CV ranking reproduces historic gender imbalance",
        Category.FAIRNESS,
        "C.3.4",
        ["A.5.4", "A.7.4", "A.6.2.4"],
        "tom.becker",
        4,
        4,
        Treatment.MODIFY,
        None,
        Status.IN_TREATMENT,
        None,
        30,
        "Historic hires for operations roles were 70% male; the model may learn proxies such as "
        "hobbies or past employers.",
    ),
    (
        "cv",
        "Recruiters over-rely on the ranking",
        Category.ACCOUNTABILITY,
        "C.3.3",
        ["A.9.2", "A.3.2"],
        "tom.becker",
        3,
        3,
        Treatment.MODIFY,
        (2, 3),
        Status.IN_TREATMENT,
        None,
        45,
        "Under time pressure, recruiters may read only the top of the list.",
    ),
    (
        "cv",
        "Special-category data in CVs processed without a lawful basis",
        Category.PRIVACY,
        "C.3.6",
        ["A.7.2", "A.7.6"],
        "priya.shah",
        2,
        4,
        Treatment.MODIFY,
        (1, 4),
        Status.TREATED,
        None,
        180,
        "CVs can reveal health, religion or ethnicity; these must not be features.",
    ),
    (
        "chat",
        "Assistant gives inaccurate answers about fees",
        Category.OPERATIONAL,
        "C.3.7",
        ["A.6.2.4", "A.8.2"],
        "priya.shah",
        3,
        3,
        Treatment.MODIFY,
        (2, 2),
        Status.TREATED,
        None,
        60,
        "Generated answers may state outdated or invented fees and charges.",
    ),
    (
        "chat",
        "Prompt injection reveals other customers' data",
        Category.SECURITY,
        "C.3.1",
        ["A.6.2.4", "A.6.2.8", "A.10.3"],
        "tom.becker",
        3,
        5,
        Treatment.MODIFY,
        (3, 4),
        Status.IN_TREATMENT,
        "accept",
        90,
        "An attacker crafts messages to make the assistant disclose data from retrieval or tools.",
    ),
    (
        "chat",
        "Customers not told they are talking to an AI",
        Category.TRANSPARENCY,
        "C.3.2",
        ["A.8.2", "A.8.5"],
        "priya.shah",
        2,
        3,
        Treatment.MODIFY,
        (1, 2),
        Status.CLOSED,
        None,
        None,
        "The EU AI Act and our conduct rules require telling customers they interact with an AI.",
    ),
    (
        "chat",
        "Vulnerable customers not routed to a person",
        Category.SAFETY,
        "C.3.3",
        ["A.9.2", "A.8.4"],
        "priya.shah",
        3,
        3,
        Treatment.MODIFY,
        None,
        Status.IDENTIFIED,
        None,
        30,
        "Customers in financial difficulty may need a person; the assistant may not recognise it.",
    ),
    (
        None,
        "No staff competent to challenge AI model outputs",
        Category.ACCOUNTABILITY,
        "C.3.7",
        ["A.4.6", "A.3.2"],
        "priya.shah",
        3,
        3,
        Treatment.MODIFY,
        None,
        Status.IN_TREATMENT,
        None,
        90,
        "Second-line risk staff lack data-science skills to challenge model developers.",
    ),
]

# control ref -> applicability, status, owner, justification
SOA_DECISIONS = {
    "A.2.2": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "demo",
        "The AI policy sets direction for all AI in lending and service; approved by the board.",
    ),
    "A.2.3": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "priya.shah",
        "AI policy must align with the information security, privacy and model risk policies.",
    ),
    "A.2.4": (
        Applicability.APPLICABLE,
        Implementation.PLANNED,
        "priya.shah",
        "Annual policy review is required by our governance framework.",
    ),
    "A.3.2": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "demo",
        "Accountable owners are needed for each AI system and for the AIMS.",
    ),
    "A.3.3": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "priya.shah",
        "Staff must be able to raise AI concerns; extends the whistleblowing process.",
    ),
    "A.4.3": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "tom.becker",
        "All three systems depend on documented data resources.",
    ),
    "A.4.6": (
        Applicability.APPLICABLE,
        Implementation.NOT_STARTED,
        "priya.shah",
        "Competence gaps in second-line challenge were identified (risk R-012).",
    ),
    "A.5.2": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "priya.shah",
        "Two high-risk systems affect individuals; impact assessment is mandatory.",
    ),
    "A.5.4": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "priya.shah",
        "Credit and hiring decisions affect individuals' access to finance and work.",
    ),
    "A.5.5": (
        Applicability.APPLICABLE,
        Implementation.PLANNED,
        "priya.shah",
        "Credit and hiring decisions at our scale shape access to finance and work for whole "
        "groups and regions: their societal impacts are assessed with the individual ones.",
    ),
    "A.6.2.4": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "tom.becker",
        "Every model is validated before deployment and after material change.",
    ),
    "A.6.2.6": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "tom.becker",
        "Deployed models need drift and performance monitoring.",
    ),
    "A.6.2.8": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "tom.becker",
        "Decision logs are needed for complaints, audits and the regulator.",
    ),
    "A.7.4": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "tom.becker",
        "Data quality drives both fairness and accuracy of the scoring models.",
    ),
    "A.7.5": (
        Applicability.APPLICABLE,
        Implementation.PLANNED,
        "tom.becker",
        "Bureau and application data provenance must be traceable.",
    ),
    "A.8.2": (
        Applicability.APPLICABLE,
        Implementation.IMPLEMENTED,
        "priya.shah",
        "Applicants and customers must receive understandable information about AI use.",
    ),
    "A.8.4": (
        Applicability.APPLICABLE,
        Implementation.PLANNED,
        "priya.shah",
        "Incidents affecting customers must be communicated under our conduct rules.",
    ),
    "A.9.2": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "priya.shah",
        "Human oversight processes are needed for every system in scope.",
    ),
    "A.10.4": (
        Applicability.APPLICABLE,
        Implementation.PARTIAL,
        "priya.shah",
        "Our customers are affected by our AI systems (credit decisions, the assistant): they "
        "are told how AI is used, what it means for them and how to contest a decision.",
    ),
}

MODEL_CARD = """# Model card: credit-pd v4.2

**Owner:** Priya Shah (AIMS Manager) · **Status:** in operation · **Tier:** EU AI Act high risk

## Intended use
Probability of default at 12 months for unsecured personal lending up to £25,000, UK residents
aged 18+. Scores support, and never replace, the underwriting decision.

## Training data
1.2 M applications 2019–2024 with 12-month repayment outcomes; bureau attributes from two
agencies. Protected characteristics are not features; age is used only for fairness testing.

## Performance (hold-out, 2024 Q1)
| Metric | Value |
| --- | --- |
| Gini | 0.61 |
| KS | 0.47 |
| Calibration (Brier) | 0.071 |

## Fairness
Approval-rate gap for applicants under 25: 11 points after treatment (was 18). Accepted by the
CFO until the next annual review; see risk R-001.

## Limitations
Not validated for small-business lending, secured lending or applicants outside the UK.
"""

VALIDATION_CSV = """check,segment,metric,value,threshold,result
discrimination,all,gini,0.61,0.55,pass
discrimination,age_under_25,gini,0.52,0.45,pass
calibration,all,brier,0.071,0.080,pass
stability,all,psi,0.06,0.10,pass
fairness,age_under_25,approval_rate_difference,0.11,0.10,fail
fairness,sex,approval_rate_difference,0.02,0.10,pass
"""


OLD_TEST_REPORT = """# Chatbot red-team test report (2023)

Scope: assistant v1 on the previous LLM provider. 140 attack prompts, 3 findings (all fixed).
Superseded: a new test is due after the provider change.
"""
