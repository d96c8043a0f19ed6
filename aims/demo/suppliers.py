"""Demo content of the suppliers area: Northwind Credit's suppliers and a customer.

The assistant's language-model provider (assessed eleven months ago with conditions; the next
assessment is due within the month), its cloud host (assessment overdue), the credit reference
agency that licenses the bureau data, the validation consultancy, the applicant tracking system
vendor (not assessed yet) and a broker that introduces customers and receives the credit
decisions (what it was told and contracted).
"""

from __future__ import annotations

import datetime as dt

from aims.catalog.models import Control
from aims.datasets.models import DataSet
from aims.suppliers.models import Kind, Outcome, SupplierAssessment, ThirdParty
from aims.suppliers.services import record_assessment, save_third_party

from .datasets import BUREAU, HELP_ARTICLES


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    scientist = people["tom.becker"]
    credit, cv, chat = systems["credit"], systems["cv"], systems["chat"]
    controls = {c.ref: c for c in Control.objects.all()}
    datasets = {d.name: d for d in DataSet.objects.filter(organization=org)}

    def third_party(name, *, refs, systems=(), data=(), **fields) -> ThirdParty:
        return save_third_party(
            ThirdParty(organization=org, name=name, **fields),
            actor=manager,
            systems=list(systems),
            datasets=[datasets[n] for n in data if n in datasets],
            controls=[controls[ref] for ref in refs if ref in controls],
        )

    def assess(party, *, days_ago, outcome, findings, next_in, assessor=manager):
        record_assessment(
            SupplierAssessment(
                third_party=party,
                assessed_on=today - dt.timedelta(days=days_ago),
                assessor=assessor,
                outcome=outcome,
                findings=findings,
                next_due=today + dt.timedelta(days=next_in),
            ),
            actor=manager,
            today=today,
        )

    llm = third_party(
        "Lumenware Models Ltd",
        kind=Kind.MODEL_PROVIDER,
        contact="Account team, enterprise@lumenware.example",
        description="Hosted general-purpose language model behind the customer service "
        "assistant, through its API with EU data residency.",
        responsibilities="Hosting, security and availability of the model (99.9% a month); no "
        "training on our prompts or outputs; notice of model changes 30 days ahead; incident "
        "notice within 24 hours; processor duties under the data processing agreement.",
        our_responsibilities="The prompts, the retrieval content and the guardrails; what the "
        "assistant may answer; monitoring the conversations; telling customers they talk to "
        "an AI system.",
        contract_reference="Enterprise API agreement and DPA LW-EU-2024-031",
        contract_date=today - dt.timedelta(days=340),
        owner=manager,
        refs=["A.10.2", "A.10.3"],
        systems=[chat],
    )
    assess(
        llm,
        days_ago=335,
        outcome=Outcome.CONDITIONS,
        findings="Security questionnaire and SOC 2 Type II report reviewed: satisfactory. "
        "Condition: written notice of model version changes, now in the contract annex. The "
        "provider's red-team results for the current model were not shared; ask again at the "
        "next assessment.",
        next_in=25,
    )
    cloud = third_party(
        "Stratus Cloud Services",
        kind=Kind.PLATFORM,
        contact="Support portal; technical account manager",
        description="Cloud hosting of the assistant's retrieval index and of the model "
        "training workspace.",
        responsibilities="Infrastructure security, availability and backups in the UK and EU "
        "regions.",
        our_responsibilities="Configuration, access management and encryption keys.",
        contract_reference="Cloud services agreement SC-88231",
        owner=scientist,
        refs=["A.10.2", "A.10.3"],
        systems=[chat, credit],
        data=[HELP_ARTICLES],
    )
    assess(
        cloud,
        days_ago=430,
        outcome=Outcome.APPROVED,
        findings="ISO/IEC 27001 certificate and penetration-test summary reviewed.",
        next_in=-65,
        assessor=scientist,
    )
    bureau = third_party(
        "Meridian Credit Reference Agency",
        kind=Kind.DATA_PROVIDER,
        contact="Data services desk, data.services@meridian-cra.example",
        description="Credit reference data for the credit scoring model: retro-scored "
        "extracts for training and live attributes in operation.",
        responsibilities="Accuracy and lawful collection of the credit reference data; "
        "corrections within 28 days of a dispute; notice of changes to attribute "
        "definitions.",
        our_responsibilities="Using the data only for credit decisions; passing on "
        "applicants' disputes; deleting training extracts when the licence ends.",
        contract_reference="Data services agreement MCR-2023-114",
        contract_date=dt.date(today.year - 2, 3, 1),
        owner=manager,
        refs=["A.10.2", "A.10.3"],
        systems=[credit],
        data=[BUREAU],
    )
    assess(
        bureau,
        days_ago=150,
        outcome=Outcome.APPROVED,
        findings="Data quality statement and dispute-handling figures reviewed; coverage of "
        "thin-file applicants discussed (known limitation, recorded on the data set).",
        next_in=215,
    )
    validator = third_party(
        "Kestrel Model Validation LLP",
        kind=Kind.SERVICE,
        description="Independent validation of the credit scoring model before each release.",
        responsibilities="An independent, documented validation against the agreed scope.",
        our_responsibilities="Access to the data, code and documentation; treating findings.",
        owner=manager,
        refs=["A.10.2", "A.10.3"],
        systems=[credit],
    )
    assess(
        validator,
        days_ago=60,
        outcome=Outcome.APPROVED,
        findings="Independence confirmed; validators' qualifications reviewed.",
        next_in=305,
    )
    third_party(
        "Talentflow ATS",
        kind=Kind.SERVICE,
        description="Applicant tracking system that sends applications to the CV screening "
        "model and shows its ranking to recruiters.",
        responsibilities="Sending complete applications; showing the ranking with its "
        "explanation, never hiding an application.",
        owner=scientist,
        refs=["A.10.2"],
        systems=[cv],
    )
    third_party(
        "Brightway Brokers",
        kind=Kind.CUSTOMER,
        contact="Partnership manager, partners@brightway.example",
        description="Broker that introduces loan applicants and receives the credit decision "
        "for each application it submits.",
        responsibilities="Passing on our applicant notice; never presenting the decision as "
        "financial advice.",
        our_responsibilities="A decision with the main reasons for any decline; review by an "
        "underwriter on request.",
        commitments="Told in writing that decisions are supported by a statistical model, "
        "that an underwriter reviews every referral and any decision on request, and that the "
        "score is not an affordability assessment and may not be used for other purposes. "
        "Contracted: adverse-action reasons with each decline; notice of material model "
        "changes.",
        contract_reference="Broker agreement BA-2024-07, schedule 3 (automated decisions)",
        contract_date=today - dt.timedelta(days=200),
        owner=manager,
        refs=["A.10.4", "A.8.2"],
        systems=[credit],
    )
