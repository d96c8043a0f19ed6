"""The demo organization's impact assessments (Northwind Credit, fictional).

* Credit scoring: assessed and signed off right before deployment, reassessed before operation
  (a stage move makes the earlier sign-off stale), and reassessed once more after go-live, so
  its assessment in force is current.
* CV screening: in validation; its assessment is written and submitted, waiting for a sign-off
  (the deployment gate stays closed until then).
* Customer service assistant: it neither affects decisions about individuals nor is high risk,
  so the gate does not ask; assessed anyway (A.5), with its yearly reassessment due soon.

Each is written by one person and signed off by another with authority.
"""

from __future__ import annotations

import datetime as dt

from aims.impact import services
from aims.impact.models import Dimension, ImpactAssessment, Status, needs_assessment
from aims.inventory.models import Stage

AUTHORS = {"credit": "priya.shah", "cv": "tom.becker", "chat": "priya.shah"}
SIGNERS = {"credit": "demo", "cv": "demo", "chat": "daniel.okafor"}


def _findings(*rows) -> dict[str, dict]:
    """(dimension, consequences, severity, likelihood, existing, planned, residual, note) or
    (dimension, None, reason) for a dimension not relevant."""
    found = {}
    for row in rows:
        if row[1] is None:
            found[row[0]] = {"not_relevant": True, "not_relevant_reason": row[2]}
            continue
        dimension, consequences, severity, likelihood, existing, planned, residual, note = row
        found[dimension] = {
            "consequences": consequences,
            "severity": severity,
            "likelihood": likelihood,
            "existing_mitigations": existing,
            "planned_mitigations": planned,
            "residual": residual,
            "residual_note": note,
        }
    return found


TEXTS = {
    "credit": {
        "affected_individuals": "Applicants for personal loans and credit cards (about 9,000 a "
        "month), and existing customers asking for a higher limit.",
        "affected_groups": "Younger applicants with thin credit files; applicants who recently "
        "moved to the UK; self-employed applicants; applicants with disabilities who apply by "
        "phone.",
        "affected_society": "Access to affordable credit; over-indebtedness if limits are set "
        "too high; trust in automated lending decisions.",
        "deployer_process": "Underwriting of unsecured personal lending: the score sets the "
        "decision band (approve, refer, decline-refer) and the credit limit offered.",
        "period_of_use": "Continuously, for every application received online, in the app and "
        "by phone; about 300 decisions a day.",
        "persons_affected": "Natural persons applying for unsecured credit up to £25,000, aged "
        "18 or over and resident in the UK.",
        "specific_risks": "Refusal or a lower limit for applicants with thin files, which falls "
        "more often on younger and recently arrived applicants; limits that are unaffordable.",
        "oversight_measures": "Every referral is decided by an underwriter; 2% of automated "
        "approvals are sampled weekly; the credit risk committee can switch the engine to "
        "manual referral within an hour.",
        "remedy_measures": "Applicants can ask for a human review of any decision; complaints "
        "go to the complaints team within 8 weeks (FCA DISP); the model owner reports "
        "material harm to the credit risk committee, which can suspend the model.",
        "findings": _findings(
            (
                Dimension.FAIRNESS,
                "Younger applicants and those with thin files are scored lower, so more of them "
                "are referred or declined.",
                4,
                3,
                "Monotonic constraints; no protected characteristic is an input; referral "
                "rather than decline below the cut-off.",
                "Quarterly approval-parity checks by age band and sex; reject inference for "
                "thin files.",
                "medium",
                "Within appetite with the quarterly checks; accepted by the CFO until the next "
                "annual review.",
            ),
            (
                Dimension.PRIVACY,
                "Bureau and application data of applicants processed at scale; adverse-action "
                "reasons may reveal credit data.",
                3,
                2,
                "Data protection impact assessment; data minimisation; access on a need-to-know "
                "basis.",
                "",
                "low",
                "DPIA reviewed yearly.",
            ),
            (
                Dimension.SAFETY,
                None,
                "The system gives no output that can injure people or damage property.",
            ),
            (
                Dimension.RIGHTS,
                "A refusal without explanation limits the applicant's ability to contest it.",
                3,
                2,
                "Adverse-action reasons from SHAP values; human review on request.",
                "",
                "low",
                "",
            ),
            (
                Dimension.ECONOMIC,
                "Wrongly declined applicants turn to costlier credit; too high a limit leads to "
                "arrears.",
                4,
                2,
                "Affordability assessment separate from the score; limits capped by income.",
                "Monitor arrears at 6 months by score band.",
                "medium",
                "",
            ),
            (
                Dimension.ENVIRONMENTAL,
                None,
                "Scoring runs on existing servers; training takes a few CPU-hours a quarter.",
            ),
            (
                Dimension.TRANSPARENCY,
                "Applicants may not know an automated score was used.",
                2,
                3,
                "Notice in the application journey; adverse-action letters with reasons.",
                "",
                "low",
                "",
            ),
            (
                Dimension.SOCIETAL,
                "Systematic exclusion of groups with thin files from mainstream credit.",
                3,
                2,
                "Referral to an underwriter below the cut-off.",
                "Annual review of approval rates by postcode deprivation decile.",
                "low",
                "",
            ),
        ),
    },
    "cv": {
        "affected_individuals": "Applicants for contact-centre and operations roles (about "
        "1,500 applications a month).",
        "affected_groups": "Women returning to work with career gaps; older applicants; "
        "applicants whose CVs are not written in standard UK English; applicants with "
        "disabilities.",
        "affected_society": "Fair access to employment in the region's largest contact centre.",
        "deployer_process": "Recruitment for high-volume roles: recruiters read applications in "
        "the order of the ranking.",
        "period_of_use": "During open recruitment campaigns, about eight months a year.",
        "persons_affected": "Job applicants for contact-centre and operations roles.",
        "specific_risks": "Lower ranks for applicants with career gaps or non-standard CVs, "
        "who are then read later or not at all when roles fill quickly.",
        "oversight_measures": "Recruiters must open every application; the Head of Talent "
        "reviews shortlist diversity monthly.",
        "remedy_measures": "Applicants can ask for feedback and a review by a second "
        "recruiter; the works council reviews complaints quarterly.",
        "findings": _findings(
            (
                Dimension.FAIRNESS,
                "Career gaps and non-standard wording lower the rank, which falls more often on "
                "women and older applicants.",
                4,
                3,
                "Names, photos, addresses and dates of birth removed from training data.",
                "Bias testing by sex and age band before deployment; every CV read.",
                "medium",
                "Acceptable only with every application read by a recruiter.",
            ),
            (
                Dimension.PRIVACY,
                "CVs hold personal data beyond what the ranking needs.",
                2,
                3,
                "Retention of 6 months; processing notice to applicants.",
                "",
                "low",
                "",
            ),
            (Dimension.SAFETY, None, "No physical effect on people."),
            (
                Dimension.RIGHTS,
                "Applicants may be disadvantaged in access to work without knowing why.",
                4,
                2,
                "A recruiter decides; the ranking never rejects.",
                "Applicant notice explaining the ranking and how to ask for a review.",
                "medium",
                "",
            ),
            (
                Dimension.ECONOMIC,
                "Applicants ranked low miss job opportunities.",
                3,
                2,
                "Every application is read before any decision.",
                "",
                "low",
                "",
            ),
            (Dimension.ENVIRONMENTAL, None, "Small model, inference on existing servers."),
            (
                Dimension.TRANSPARENCY,
                "Applicants are not told their CV was ranked by a model.",
                3,
                4,
                "",
                "Applicant notice and explanation of the matched skills on request.",
                "low",
                "",
            ),
            (
                Dimension.SOCIETAL,
                "A less diverse workforce in the contact centre over time.",
                3,
                2,
                "Monthly shortlist diversity review.",
                "",
                "low",
                "",
            ),
        ),
    },
    "chat": {
        "affected_individuals": "Customers and prospective customers asking questions online.",
        "affected_groups": "Customers in financial difficulty; customers with low digital "
        "literacy or who write in languages other than English.",
        "affected_society": "",
        "findings": _findings(
            (
                Dimension.FAIRNESS,
                "Answers of lower quality for questions written in other languages.",
                2,
                3,
                "Hand-over to an agent on request.",
                "",
                "low",
                "",
            ),
            (
                Dimension.PRIVACY,
                "Prompt injection could expose another customer's data.",
                4,
                2,
                "The assistant has no access to account data; red-team test before release.",
                "Repeat the red-team test after each provider model change.",
                "low",
                "",
            ),
            (Dimension.SAFETY, None, "Gives no advice that can harm health or safety."),
            (
                Dimension.RIGHTS,
                None,
                "Makes no decision about customers; it answers general questions only.",
            ),
            (
                Dimension.ECONOMIC,
                "A wrong answer about fees or repayments could cost a customer money.",
                3,
                2,
                "Answers are drawn from help-centre articles only; weekly sample review.",
                "",
                "low",
                "",
            ),
            (Dimension.ENVIRONMENTAL, None, "Hosted model; usage is a few thousand chats a day."),
            (
                Dimension.TRANSPARENCY,
                "Customers may think they are talking to a person.",
                2,
                2,
                "The assistant says it is an AI assistant at the start of every chat (EU AI Act "
                "Art. 50).",
                "",
                "low",
                "",
            ),
            (
                Dimension.SOCIETAL,
                None,
                "No effect beyond the customers who use it.",
            ),
        ),
    },
}


def _key(system) -> str | None:
    names = {
        "Credit scoring model": "credit",
        "CV screening model": "cv",
        "Customer service assistant": "chat",
    }
    return names.get(system.name)


def _write(system, key: str, *, people) -> ImpactAssessment:
    """A new assessment of ``system``, or a reassessment of its signed-off one; complete and
    submitted for review."""
    author = people[AUTHORS[key]]
    texts = TEXTS[key]
    signed = ImpactAssessment.objects.filter(system=system, status=Status.SIGNED_OFF).first()
    if signed is not None:
        assessment = services.reassess(signed, actor=author)
    else:
        assessment = ImpactAssessment(organization=system.organization, system=system)
        for name, value in texts.items():
            if name != "findings":
                setattr(assessment, name, value)
        assessment = services.create_assessment(assessment, actor=author)
        services.save_findings(assessment, texts["findings"], actor=author)
    return services.submit(assessment, actor=author)


def _sign(assessment, key: str, *, people, note: str, when: dt.date | None = None):
    return services.sign_off(
        assessment, actor=people[SIGNERS[key]], note=note, next_reassessment=when
    )


def before_stage(system, stage, *, people, risks, today) -> None:
    """Before deployment and operation, a system the gate asks it of gets its impact assessment
    signed off (the move that follows makes it stale; :func:`load` brings it current)."""
    key = _key(system)
    if key is None or stage not in (Stage.DEPLOYMENT, Stage.OPERATION):
        return
    if not needs_assessment(system):
        return
    assessment = _write(system, key, people=people)
    _sign(
        assessment,
        key,
        people=people,
        note=f"Reviewed with the model owner before {Stage(stage).label.lower()}.",
    )


def load(org, *, people, systems, risks, today) -> None:
    """Bring the operating system's assessment current, leave one waiting for a sign-off and
    one due for its yearly reassessment soon."""
    credit = systems["credit"]
    credit.refresh_from_db()
    assessment = _write(credit, "credit", people=people)
    _sign(
        assessment,
        "credit",
        people=people,
        note="Reassessed after go-live and the reclassification as high risk (EU AI Act Annex "
        "III 5(b)).",
    )

    cv = systems["cv"]
    cv.refresh_from_db()
    _write(cv, "cv", people=people)  # submitted; waits for a sign-off before deployment

    chat = systems["chat"]
    chat.refresh_from_db()
    assessment = _write(chat, "chat", people=people)
    _sign(
        assessment,
        "chat",
        people=people,
        note="Reviewed with the contact-centre lead.",
        when=today + dt.timedelta(days=20),  # the yearly reassessment comes round soon
    )
