from django.core.management import call_command
from django.utils import timezone

from aims.communication.models import PlanEntry
from aims.competence.models import TrainingRecord
from aims.context.models import Obligation, ScopeStatus, ScopeVersion
from aims.core.areas import due_items
from aims.demo.loader import load_demo
from aims.documents.models import Document
from aims.documents.models import Status as DocumentStatus
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.leadership.models import Activity, Meeting
from aims.objectives.models import KPI, KPISource
from aims.organizations.models import Membership, Role
from aims.risk.models import Risk
from aims.soa.models import Applicability, SoAEntry
from aims.trail.models import Action, AuditEvent
from aims.trail.services import verify_chain


def test_it_builds_northwind_credit_through_the_services(db):
    org, user, created = load_demo(password="a-demo-password-123")

    assert created is True
    assert org.slug == "northwind-credit" and org.scope
    assert user.check_password("a-demo-password-123")
    assert Membership.objects.get(organization=org, user=user).role == Role.OWNER
    assert Membership.objects.filter(organization=org).count() == 5
    assert Membership.objects.get(
        organization=org, user__username="daniel.okafor"
    ).is_top_management

    stages = dict(AISystem.objects.filter(organization=org).values_list("slug", "stage"))
    assert stages == {
        "credit-scoring-model": Stage.OPERATION,
        "cv-screening-model": Stage.VALIDATION,
        "customer-service-assistant": Stage.DEPLOYMENT,
    }
    tiers = dict(AISystem.objects.filter(organization=org).values_list("slug", "risk_tier"))
    assert tiers == {
        "credit-scoring-model": RiskTier.HIGH,  # reclassified in operation
        "cv-screening-model": RiskTier.HIGH,
        "customer-service-assistant": RiskTier.LIMITED,
    }
    credit = org.ai_systems.get(slug="credit-scoring-model")
    reclassified = AuditEvent.objects.for_record(credit).filter(action=Action.UPDATE).get()
    assert reclassified.changes == {"risk_tier": ["limited", "high"]}
    # The high-risk system in validation meets everything it can, and waits for what the
    # areas still to come will record; its EU AI Act classification is current, its
    # obligations not all met yet.
    cv = org.ai_systems.get(slug="cv-screening-model")
    blocked = [r.requirement.code for r in cv.gate(Stage.DEPLOYMENT) if not r.met]
    assert blocked == [
        "risks_within_appetite",
        "fairness_check_passed",
        "impact_assessment",
        "human_oversight",
        "technical_documentation",
        "event_logging",
        "act_obligations",
    ]
    risks = Risk.objects.filter(organization=org)
    assert risks.count() == 13
    matrix = org.risk_matrix
    assert risks.needs_decision(matrix).count() == 1
    assert risks.above_appetite(matrix).count() == 3  # two accepted, one awaiting a decision
    entries = SoAEntry.objects.filter(organization=org)
    decided = entries.exclude(applicability=Applicability.UNDECIDED).count()
    assert 15 <= decided <= 23 and entries.count() == 38
    # four documents, and the evidence of the two fairness checks run before deployment (the
    # AI policy is a document of the documents area, approved by top management), and of the
    # data-quality check run on the loan application history (aims/demo/datasets.py)
    assert Evidence.objects.filter(organization=org).count() == 7
    checks = {check.name: check for check in credit.checks.filter(kind="fairness")}
    assert sorted(checks) == ["Approval parity by age band", "Approval parity by sex"]
    assert {check.runs.get().status for check in checks.values()} == {"passed"}
    # Each check is linked to the risk about what it measures (the model card tests both).
    assert [r.title for r in checks["Approval parity by sex"].risks.all()] == [
        "Approval rates differ between women and men"
    ]
    assert [r.title for r in checks["Approval parity by age band"].risks.all()] == [
        "Credit scores disadvantage younger applicants"
    ]
    societal = entries.filter(control__ref__in=["A.5.5", "A.10.4"])
    assert set(societal.values_list("applicability", flat=True)) == {Applicability.APPLICABLE}
    assert Evidence.objects.filter(organization=org).expired().count() == 1

    checked, chain_break = verify_chain(org)
    assert chain_break is None
    assert checked == AuditEvent.objects.filter(organization=org).count() > 50


def test_loading_twice_creates_nothing_new(db):
    load_demo()
    counts = (
        AISystem.objects.count(),
        Risk.objects.count(),
        Evidence.objects.count(),
        AuditEvent.objects.count(),
    )

    org, user, created = load_demo()

    assert created is False
    assert org.slug == "northwind-credit" and user.username == "demo"
    assert counts == (
        AISystem.objects.count(),
        Risk.objects.count(),
        Evidence.objects.count(),
        AuditEvent.objects.count(),
    )


def test_the_command_prints_the_login(db, capsys):
    call_command("load_demo", "--username", "demo-owner", "--password", "pw-for-the-demo-42")
    out = capsys.readouterr().out
    assert "demo-owner" in out and "pw-for-the-demo-42" in out

    call_command("load_demo")
    assert "already exists" in capsys.readouterr().out
    assert Membership.objects.get(user__username="demo-owner").role == Role.OWNER


def test_the_demo_holds_the_plan_and_support_records(db):
    """Each plan-and-support area's demo content, loaded through its services: enough for every
    page to show something real and every dashboard step of the plan to be under way."""
    org, _user, _ = load_demo()
    assert org.context_issues.count() >= 5
    assert ScopeVersion.objects.filter(organization=org, status=ScopeStatus.APPROVED).count() == 1
    assert Obligation.objects.filter(organization=org).count() >= 6

    policy = Document.objects.get(organization=org, is_ai_policy=True)
    assert policy.status == DocumentStatus.APPROVED and policy.approved_version.number == 2
    approver = Membership.objects.get(organization=org, user=policy.approved_version.approved_by)
    assert approver.is_top_management
    entry = SoAEntry.objects.filter(organization=org, control__ref="A.2.2").with_flags().get()
    assert entry.has_current_evidence  # the approved AI policy evidences its control

    assert Activity.objects.for_org(org).count() >= 10
    assert Meeting.objects.filter(organization=org).count() == 3
    assert KPI.objects.filter(organization=org, source=KPISource.CHECK).exists()
    assert TrainingRecord.objects.filter(organization=org).count() >= 5
    assert PlanEntry.objects.filter(organization=org).count() >= 5

    # what falls due comes from every area: document reviews, actions, training, communication
    kinds = {item.kind for item in due_items(org, timezone.localdate())}
    assert len(kinds) >= 5, kinds
