"""The context of Northwind Credit (clauses 4.1 to 4.3, A.8.5): its issues, interested parties,
approved scope, roles per AI system and obligations, created through the context services."""

from __future__ import annotations

import datetime as dt

from aims.context.models import (
    Addressed,
    AIRole,
    Compliance,
    InterestedParty,
    Issue,
    IssueCategory,
    Obligation,
    ObligationKind,
    OperatorRole,
    PartyKind,
    Raises,
    ScopeVersion,
    Side,
    SystemRole,
)
from aims.context.services import (
    add_catalogue_obligations,
    approve_scope,
    save_issue,
    save_obligation,
    save_party,
    save_scope_draft,
    save_system_role,
)

ISSUES = [
    {
        "title": "FCA Consumer Duty: evidence of good outcomes",
        "description": "The Consumer Duty asks lenders to show that customers get fair value "
        "and good outcomes, including customers in vulnerable circumstances. Automated credit "
        "decisions are in the regulator's sights.",
        "side": Side.EXTERNAL,
        "category": IssueCategory.LEGAL,
        "effect": "Outcome monitoring per customer group has to be built into the AIMS, with "
        "board reporting at least yearly.",
        "raises": Raises.RISK,
        "owner": "priya.shah",
        "days": 60,
        "risk": True,
    },
    {
        "title": "EU AI Act applies to our EU customers",
        "description": "Since the Irish branch opened, credit scoring of EU residents falls under "
        "the EU AI Act as a high-risk use (creditworthiness of natural persons).",
        "side": Side.EXTERNAL,
        "category": IssueCategory.POLITICAL,
        "effect": "Provider obligations for the credit model (risk management, data governance, "
        "logging, human oversight, post-market monitoring) need owners and evidence.",
        "raises": Raises.BOTH,
        "owner": "priya.shah",
        "days": 45,
    },
    {
        "title": "Shortage of ML engineers and model validators",
        "description": "Two of five data scientists left in the last year; independent "
        "validation depends on one external consultancy.",
        "side": Side.INTERNAL,
        "category": IssueCategory.WEAKNESS,
        "effect": "Model changes queue for validation; monitoring may lapse when people leave.",
        "raises": Raises.RISK,
        "owner": "demo",
        "days": 90,
    },
    {
        "title": "Model drift after the interest-rate rises",
        "description": "Higher rates changed who applies and how they repay: the population the "
        "credit model sees in 2025 differs from its 2019–2024 training data.",
        "side": Side.EXTERNAL,
        "category": IssueCategory.ECONOMIC,
        "effect": "Scores may be less accurate and less fair for younger applicants; drift "
        "checks must run monthly rather than quarterly.",
        "raises": Raises.RISK,
        "owner": "tom.becker",
        "days": 30,
    },
    {
        "title": "Dependence on a third-party language model",
        "description": "The customer-service assistant runs on a supplier's large language "
        "model, updated by the supplier without notice.",
        "side": Side.EXTERNAL,
        "category": IssueCategory.TECHNOLOGICAL,
        "effect": "Behaviour can change without a release on our side; contract terms and "
        "regression tests are our only levers.",
        "raises": Raises.RISK,
        "owner": "tom.becker",
        "days": 120,
    },
    {
        "title": "Strong data culture and explainable models",
        "description": "Monotonic, explainable credit models and a mature data warehouse are a "
        "strength regulators have praised.",
        "side": Side.INTERNAL,
        "category": IssueCategory.STRENGTH,
        "effect": "A base to meet transparency duties quickly and to explain decisions to "
        "customers in plain words.",
        "raises": Raises.OPPORTUNITY,
        "owner": "priya.shah",
        "days": 180,
    },
]

PARTIES = [
    {
        "name": "Loan and credit card applicants",
        "kind": PartyKind.CUSTOMERS,
        "needs": "A fair, fast decision; a clear reason when declined; a way to ask a person.",
        "requirements": "UK GDPR Art. 22 safeguards; Consumer Duty outcomes; adverse-action "
        "reasons in plain language.",
        "addressed": Addressed.PARTLY,
        "how_addressed": "Referrals to underwriters and SHAP-based reasons; outcome monitoring "
        "per age band still being built.",
        "owner": "priya.shah",
    },
    {
        "name": "Financial Conduct Authority",
        "side": Side.EXTERNAL,
        "kind": PartyKind.REGULATORS,
        "needs": "Evidence that automated decisions treat customers fairly and that the firm "
        "controls its models.",
        "requirements": "Consumer Duty (PRIN 2A); model risk management expectations.",
        "addressed": Addressed.PARTLY,
        "how_addressed": "Annual board report on AI outcomes; risk register and SoA.",
        "owner": "priya.shah",
    },
    {
        "name": "Job applicants screened by the CV model",
        "kind": PartyKind.AFFECTED,
        "needs": "Not to be rejected unfairly or by a machine alone.",
        "requirements": "Equality Act 2010; a person reviews every rejection.",
        "addressed": Addressed.ADDRESSED,
        "how_addressed": "The model only ranks; recruiters decide and review a sample of "
        "low-ranked CVs every week.",
        "owner": "tom.becker",
    },
    {
        "name": "Contact-centre staff in Glasgow",
        "side": Side.INTERNAL,
        "kind": PartyKind.EMPLOYEES,
        "needs": "Training on the assistant; a clear hand-over when it cannot help.",
        "requirements": "Training before go-live; escalation route documented.",
        "addressed": Addressed.ADDRESSED,
        "how_addressed": "Training course and escalation procedure in the competence records.",
        "owner": "demo",
    },
    {
        "name": "Language model supplier",
        "kind": PartyKind.SUPPLIERS,
        "needs": "Use of the model within its acceptable-use policy.",
        "requirements": "Notice of model changes; data not used for training; incident "
        "reporting within 24 hours.",
        "addressed": Addressed.NOT_ADDRESSED,
        "how_addressed": "The current contract lacks change notice; renegotiation planned.",
        "owner": "tom.becker",
    },
    {
        "name": "Board and shareholders",
        "side": Side.INTERNAL,
        "kind": PartyKind.SHAREHOLDERS,
        "needs": "AI that grows the loan book without regulatory or reputational surprises.",
        "requirements": "Risk appetite approved by the board; quarterly AI risk report.",
        "addressed": Addressed.ADDRESSED,
        "how_addressed": "Quarterly report from the AIMS manager to the risk committee.",
        "owner": "daniel.okafor",
    },
]

OBLIGATION_SYSTEMS = {
    "EU AI Act Art. 9": ["credit"],
    "EU AI Act Art. 10": ["credit"],
    "EU AI Act Art. 14": ["credit"],
    "EU AI Act Art. 26": ["chat"],
    "EU AI Act Art. 50": ["chat"],
    "GDPR Art. 22": ["credit", "cv"],
    "GDPR Art. 35": ["credit", "cv", "chat"],
    "Equality Act 2010 (UK)": ["credit", "cv"],
}
ASSESSED = {
    "EU AI Act Art. 9": (
        Compliance.PARTLY,
        "Risk register and treatment plans; no formal lifecycle risk procedure yet.",
    ),
    "EU AI Act Art. 14": (
        Compliance.COMPLIANT,
        "Referral rules, weekly sample review and the "
        "switch to manual referral, tested twice a year.",
    ),
    "GDPR Art. 22": (
        Compliance.COMPLIANT,
        "No decline by the model alone; customers can ask for a review by an underwriter.",
    ),
    "GDPR Art. 35": (
        Compliance.PARTLY,
        "DPIAs done for credit and CV screening; the assistant's DPIA is in draft.",
    ),
    "Equality Act 2010 (UK)": (
        Compliance.PARTLY,
        "Quarterly fairness checks by age band and sex; disability proxy not yet analysed.",
    ),
}


def _systems(keys, systems):
    return [systems[k] for k in keys if k in systems]


def load(org, *, people, systems, risks, today) -> None:
    owner = people["demo"]
    manager = people["priya.shah"]

    # Issues (4.1); the Consumer Duty one raises a risk of its own in the register.
    for item in ISSUES:
        issue = Issue(
            organization=org,
            title=item["title"],
            description=item["description"],
            side=item["side"],
            category=item["category"],
            effect=item["effect"],
            raises=item["raises"],
            owner=people.get(item["owner"]),
            review_date=today + dt.timedelta(days=item["days"]),
        )
        linked = [r for r in risks if r.category == "fairness"][:1] if item.get("risk") else []
        save_issue(issue, actor=manager, risks=linked)

    # Interested parties (4.2).
    for item in PARTIES:
        save_party(
            InterestedParty(
                organization=org,
                name=item["name"],
                side=item.get("side", Side.EXTERNAL),
                kind=item["kind"],
                needs=item["needs"],
                requirements=item["requirements"],
                addressed=item["addressed"],
                how_addressed=item["how_addressed"],
                owner=people.get(item["owner"]),
                review_date=today + dt.timedelta(days=180),
            ),
            actor=manager,
        )

    # The scope (4.3): drafted by the AIMS manager from the organization's scope text, approved
    # by the owner (someone other than its author).
    draft = save_scope_draft(
        ScopeVersion(
            organization=org,
            statement=org.scope,
            units="Retail Lending, Underwriting, People & Talent, Customer Service, Data Science.",
            sites="Head office, Leeds; customer contact centre, Glasgow.",
            activities="Design, development, validation, deployment and operation of AI "
            "systems; procurement and monitoring of third-party AI.",
            exclusions="Fraud detection run by the card processor under its own certification: "
            "Northwind has no control over its design or operation. Office tools with embedded "
            "AI features: no decisions about customers or staff are made with them.",
            interfaces="Credit reference agencies (data); the language model supplier; group "
            "IT for hosting; the external model validation consultancy.",
            change_note="First version of the AIMS scope.",
        ),
        actor=manager,
        systems=list(systems.values()),
    )
    approve_scope(draft, actor=owner, today=today)

    # Roles per AI system.
    roles = {
        "credit": (
            [AIRole.PROVIDER, AIRole.PRODUCER],
            [OperatorRole.PROVIDER, OperatorRole.DEPLOYER],
            "Built in-house by Data Science and used by our own underwriting: we are its "
            "developer and provider, and deploy it ourselves.",
        ),
        "cv": (
            [AIRole.PROVIDER, AIRole.PRODUCER, AIRole.USER],
            [OperatorRole.PROVIDER, OperatorRole.DEPLOYER],
            "Developed in-house for People & Talent; recruiters use its ranking.",
        ),
        "chat": (
            [AIRole.CUSTOMER, AIRole.USER],
            [OperatorRole.DEPLOYER],
            "The language model comes from a supplier, who is its provider; we configure and "
            "deploy the assistant for our customers.",
        ),
    }
    for key, (iso, eu, note) in roles.items():
        if key in systems:
            save_system_role(
                SystemRole(
                    organization=org, system=systems[key], iso_roles=iso, eu_roles=eu, note=note
                ),
                actor=manager,
            )

    # Obligations (A.8.5): from the catalogue, then linked to systems and assessed.
    keys = [
        "eu-ai-act-art-9",
        "eu-ai-act-art-10",
        "eu-ai-act-art-14",
        "eu-ai-act-art-26",
        "eu-ai-act-art-50",
        "gdpr-art-22",
        "gdpr-art-35",
        "equality-act-2010",
    ]
    created, _ = add_catalogue_obligations(org, actor=manager, keys=keys, owner=manager)
    for obligation in created:
        status, shown = ASSESSED.get(obligation.reference, (Compliance.NOT_ASSESSED, ""))
        obligation.compliance, obligation.how_shown = status, shown
        obligation.review_date = today + dt.timedelta(days=90)
        save_obligation(
            obligation,
            actor=manager,
            systems=_systems(OBLIGATION_SYSTEMS.get(obligation.reference, []), systems),
        )
    save_obligation(
        Obligation(
            organization=org,
            kind=ObligationKind.CONTRACT,
            title="Language model supplier: data processing terms",
            reference="Supplier agreement §7",
            description="Prompts and conversations are not used to train the supplier's models; "
            "processing stays in the UK and EU.",
            owner=people.get("tom.becker", manager),
            how_shown="Supplier's annual assurance report; our quarterly review of its "
            "sub-processor list.",
            compliance=Compliance.COMPLIANT,
            review_date=today + dt.timedelta(days=120),
        ),
        actor=manager,
        systems=_systems(["chat"], systems),
    )
