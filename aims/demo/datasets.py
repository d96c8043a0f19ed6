"""Demo content of the data sets area: Northwind Credit's data sets and other resources.

Each demo system gets the data it learns from and works with: the credit model's loan
application history (tested by a data-quality check, run once) and the bureau attributes
licensed from a credit reference agency; the CV screening model's anonymised CV corpus and a
set of recruiter labels whose retention ends soon; the assistant's help-centre articles and the
conversations sampled for review. Each system also lists its tooling, computing and people.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from aims.catalog.models import Control
from aims.checks.models import Check, SourceType
from aims.checks.models import Kind as CheckKind
from aims.checks.samples import FAIR as FAIR_SAMPLE
from aims.checks.services import run_check, save_check, store_data_file
from aims.datasets.models import (
    Acquisition,
    DataSet,
    LegalBasis,
    Purpose,
    Resource,
    ResourceKind,
)
from aims.datasets.services import add_use, save_dataset, save_resource

QUALITY_CHECK = "Loan applications: data quality"
LOAN_HISTORY = "Loan application history 2019–2024"
BUREAU = "Credit bureau attributes (Meridian)"
CV_CORPUS = "Anonymised CV corpus 2020–2024"
HELP_ARTICLES = "Help-centre articles"


def _quality_check(system, *, actor) -> Check:
    """A data-quality check on the loan application sample, run once (it passes)."""
    with FAIR_SAMPLE.open("rb") as fh:
        blob, name = store_data_file(
            SimpleUploadedFile(FAIR_SAMPLE.name, fh.read(), content_type="application/octet-stream")
        )
    check = save_check(
        Check(
            organization=system.organization,
            system=system,
            name=QUALITY_CHECK,
            kind=CheckKind.QUALITY,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=name,
            options={
                "min_rows": 10_000,
                "max_missing": 0.01,
                "ranges": {"score": [0, 1]},
                "allowed": {
                    "sex": ["Female", "Male"],
                    "age_band": ["18-25", "26-40", "41-60", "61+"],
                },
                "max_duplicate_share": 0.05,
            },
            thresholds=[],
        ),
        actor=actor,
        controls=list(Control.objects.filter(ref__in=["A.7.4"])),
    )
    run_check(check, actor=actor)
    return check


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    scientist = people["tom.becker"]
    credit, cv, chat = systems["credit"], systems["cv"], systems["chat"]
    controls = {c.ref: c for c in Control.objects.filter(ref__startswith="A.7.")}

    def dataset(name, *, refs, checks=(), **fields) -> DataSet:
        return save_dataset(
            DataSet(organization=org, name=name, **fields),
            actor=manager,
            quality_checks=list(checks),
            controls=[controls[ref] for ref in refs if ref in controls],
        )

    quality = _quality_check(credit, actor=scientist)
    loans = dataset(
        LOAN_HISTORY,
        description="1.2 million personal loan and credit card applications received from "
        "January 2019 to June 2024, each with its decision and the repayment outcome at 12 "
        "months.",
        owner=scientist,
        acquisition=Acquisition.COLLECTED,
        source="Loan origination system (application forms, decisions); collections system "
        "(repayment outcomes).",
        legal_basis=LegalBasis.CONTRACT,
        provenance="Extracted monthly from the origination warehouse; applications withdrawn "
        "before decision removed; outcomes joined by account number, then the account number "
        "replaced by a random key.",
        personal_data_categories="Identity (pseudonymised), income and employment, existing "
        "credit, address history (postcode district only), age band, sex.",
        known_quality_issues="Applications before 2021 lack the employment-length field (8% "
        "missing overall); outcomes of the last 12 months are not known yet and are excluded.",
        preparation="Deduplicated by application; outliers in income capped at the 99.9th "
        "percentile; time-based split: 2019–2022 training, 2023 validation, 2024 H1 test.",
        retention="Kept for six years after the last decision it supports, as the lending "
        "records are; then deleted from the warehouse and the training store.",
        retain_until=dt.date(today.year + 6, 6, 30),
        refs=["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"],
        checks=[quality],
    )
    bureau = dataset(
        BUREAU,
        description="Credit reference attributes (payment history, defaults, searches, "
        "utilisation) of each applicant at the time of application.",
        owner=manager,
        acquisition=Acquisition.LICENSED,
        source="Meridian Credit Reference Agency, by batch for training and by API in operation.",
        licence="Data services agreement MCR-2023-114 (use limited to credit decisions)",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        provenance="Delivered by the agency; retro-scored extracts for the training window, "
        "live calls in operation. The agency's own data quality statement is on file.",
        personal_data_categories="Credit history, public records (court judgments), address links.",
        known_quality_issues="Thin files for young applicants and recent arrivals in the UK: "
        "few attributes, many missing values.",
        preparation="Attributes mapped to the model's feature dictionary v7; missing values "
        "encoded explicitly, never imputed.",
        retention="Training extracts deleted when the licence ends; operational responses "
        "kept with the application record.",
        refs=["A.7.3", "A.7.5"],
    )
    corpus = dataset(
        CV_CORPUS,
        description="38,000 applications for contact-centre and operations roles, 2020–2024, "
        "with the recruiter's shortlisting decision.",
        owner=scientist,
        acquisition=Acquisition.COLLECTED,
        source="Applicant tracking system exports.",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        provenance="Exported from the applicant tracking system; names, addresses, dates of "
        "birth and photos removed by the redaction script v2, checked on a 1% sample.",
        personal_data_categories="Work history, education, skills (after redaction).",
        known_quality_issues="Applicants over 50 are under-represented (4%); shortlisting "
        "decisions before 2022 reflect an older skills framework.",
        preparation="Redacted, deduplicated, labelled with the job family; 80/10/10 split "
        "stratified by job family.",
        retention="Deleted two years after the pilot ends unless the works council agrees to "
        "keep it.",
        retain_until=dt.date(today.year + 2, 12, 31),
        refs=["A.7.2", "A.7.4", "A.7.6"],
    )
    labels = dataset(
        "Recruiter relevance labels (pilot)",
        description="2,400 CVs labelled for relevance by three recruiters in the pilot.",
        owner=scientist,
        acquisition=Acquisition.COLLECTED,
        source="Labelling sessions with the People & Talent team.",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        personal_data_categories="Work history and skills (redacted CVs); the labellers' initials.",
        known_quality_issues="Agreement between labellers 0.71 (Cohen's kappa).",
        retention="Kept until the validation report is signed, then deleted.",
        retain_until=today + dt.timedelta(days=20),
        refs=["A.7.4"],
    )
    articles = dataset(
        HELP_ARTICLES,
        description="412 help-centre articles on accounts, payments and products, indexed for "
        "retrieval.",
        owner=manager,
        acquisition=Acquisition.COLLECTED,
        source="Help-centre content management system, published articles only.",
        legal_basis=LegalBasis.NOT_PERSONAL,
        provenance="Written and approved by the customer service content team; the index is "
        "rebuilt each night from the published versions.",
        known_quality_issues="Some articles on discontinued products still published.",
        preparation="Split into passages of about 300 words, embedded nightly.",
        retention="Follows the articles: an article withdrawn leaves the index the next night.",
        refs=["A.7.2", "A.7.5"],
    )
    conversations = dataset(
        "Assistant conversations sampled for review",
        description="50 conversations a week sampled for the contact-centre lead's review.",
        owner=manager,
        acquisition=Acquisition.CUSTOMER,
        source="Conversation logs of the assistant.",
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        personal_data_categories="Whatever customers type: names, account questions; card "
        "numbers are masked before storage.",
        retention="Kept 90 days after review.",
        refs=["A.7.4"],
    )

    for target, system, purpose, version in [
        (loans, credit, Purpose.TRAINING, "4.2"),
        (loans, credit, Purpose.VALIDATION, "4.2"),
        (loans, credit, Purpose.TESTING, "4.2"),
        (bureau, credit, Purpose.TRAINING, "4.2"),
        (bureau, credit, Purpose.OPERATION, ""),
        (corpus, cv, Purpose.TRAINING, "0.9"),
        (corpus, cv, Purpose.VALIDATION, "0.9"),
        (labels, cv, Purpose.VALIDATION, "0.9"),
        (articles, chat, Purpose.OPERATION, ""),
        (conversations, chat, Purpose.TESTING, ""),
    ]:
        add_use(target, system=system, purpose=purpose, system_version=version, actor=manager)

    for system, kind, name, description, owner in [
        (
            credit,
            ResourceKind.COMPUTING,
            "Model training workspace",
            "Managed machine-learning workspace in the UK region: 16-core training nodes, the "
            "feature store and the model registry.",
            scientist,
        ),
        (
            credit,
            ResourceKind.TOOLING,
            "LightGBM 4 and SHAP",
            "Training library and explanation library, versions pinned in the model's lock file.",
            scientist,
        ),
        (
            credit,
            ResourceKind.PEOPLE,
            "Credit risk modelling team",
            "Three model developers; independent validation by the model risk function.",
            manager,
        ),
        (
            cv,
            ResourceKind.TOOLING,
            "Transformers library and the skills taxonomy v3",
            "Fine-tuning code and the job-family skills taxonomy maintained by People & Talent.",
            scientist,
        ),
        (
            cv,
            ResourceKind.PEOPLE,
            "Recruiter labelling panel",
            "Three recruiters, four hours a week during the pilot.",
            scientist,
        ),
        (
            chat,
            ResourceKind.COMPUTING,
            "Hosted language model API",
            "The provider's general-purpose model, EU data residency, through the API gateway.",
            manager,
        ),
        (
            chat,
            ResourceKind.TOOLING,
            "Retrieval index and prompt configuration",
            "Vector index rebuilt nightly; prompt templates under version control.",
            manager,
        ),
        (
            chat,
            ResourceKind.PEOPLE,
            "Contact-centre reviewers",
            "The contact-centre lead and two agents review sampled conversations weekly.",
            manager,
        ),
    ]:
        save_resource(
            Resource(
                organization=org,
                system=system,
                kind=kind,
                name=name,
                description=description,
                owner=owner,
            ),
            actor=manager,
        )
