"""The dashboard tells the truth: the Statement of Applicability is decided when every control is,
and "Needs attention" counts undecided controls, failing checks and open alerts."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.catalog.models import Control
from aims.checks.models import Alert, Check, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import resolve_alert, run_check, save_check, store_data_file
from aims.dashboard.summary import summarize
from aims.evidence import storage
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry

JUSTIFICATION = "Our credit models need this control in every release."


def url(world):
    return reverse("dashboard", kwargs={"org": world.org.slug})


def page(world, who=None) -> str:
    response = world.client(who or world.owner).get(url(world))
    assert response.status_code == 200
    return response.content.decode()


def decide(world, count: int | None = None):
    """The first ``count`` undecided SoA entries (all of them when None) decided applicable."""
    entries = SoAEntry.objects.filter(
        organization=world.org, applicability=Applicability.UNDECIDED
    ).order_by("pk")
    for entry in entries[:count] if count is not None else entries:
        entry.applicability = Applicability.APPLICABLE
        entry.status = Implementation.NOT_STARTED
        entry.justification = JUSTIFICATION
        update_entry(entry, actor=world.owner)


def soa_step(summary):
    return next(step for step in summary.steps if step.url_name == "soa_list")


def fairness_check(world, system, *, name="Parity", limit=0.1):
    blob, data_name = store_data_file(SimpleUploadedFile(BIASED.name, BIASED.read_bytes()))
    return save_check(
        Check(
            organization=world.org,
            system=system,
            name=name,
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={
                "label": "repaid",
                "prediction": "approved",
                "sensitive": ["sex"],
                "reference_group": "sex=Male",
            },
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": limit}],
        ),
        actor=world.owner,
        controls=list(Control.objects.filter(ref="A.5.4")),
    )


def test_one_decision_of_38_does_not_tick_the_soa_step(world):
    total = SoAEntry.objects.filter(organization=world.org).count()
    assert total == 38
    decide(world, 1)
    step = soa_step(summarize(world.org))
    assert step.done is False
    assert step.progress == "1 of 38 controls decided"
    assert "37 still to decide" in step.detail
    decide(world, 36)
    assert soa_step(summarize(world.org)).done is False  # 37 of 38 is still not all
    decide(world)
    step = soa_step(summarize(world.org))
    assert step.done is True and step.progress == "38 of 38 controls decided"
    assert step.detail == "Every control decided: 38 applicable, 0 not applicable."


def test_every_step_shows_its_count_on_the_page(world, credit_system):
    summary = summarize(world.org)
    assert all(step.progress for step in summary.steps), [
        step.title for step in summary.steps if not step.progress
    ]
    content = page(world)
    for step in summary.steps:
        assert step.progress in content, step.title
    assert "1 AI system registered" in content
    assert "0 risks in the register" in content
    assert "0 of 38 controls decided" in content


def test_undecided_controls_need_attention(world, credit_system):
    decide(world, 1)
    summary = summarize(world.org)
    assert summary.attention_count == 37
    content = page(world, world.viewer)
    assert "Controls still to decide" in content
    assert "37 of 38 controls have no applicability decision yet" in content
    assert "?applicability=undecided" in content
    assert "Nothing is waiting" not in content

    decide(world)
    summary = summarize(world.org)
    assert summary.attention_count == 0
    content = page(world, world.viewer)
    assert "Controls still to decide" not in content
    assert "Nothing is waiting" in content


def test_a_failing_check_needs_attention_until_a_run_passes_even_once_its_alert_is_resolved(
    world, credit_system
):
    decide(world)  # nothing else waits
    check = fairness_check(world, credit_system)
    run = run_check(check, actor=world.owner)
    assert run.status == RunStatus.FAILED
    summary = summarize(world.org)
    checks = summary.data("checks")
    assert checks["failing_checks_count"] == 1 and checks["open_alerts_count"] == 1
    assert [c.pk for c in checks["failing_checks"]] == [check.pk]
    assert summary.attention_count == 2
    content = page(world)
    assert "Failed technical checks" in content and "Open alerts" in content
    assert reverse("run_detail", kwargs={"org": world.org.slug, "run_id": run.pk}) in content

    # The alert is resolved: the check has not passed since, so it still waits.
    resolve_alert(Alert.objects.get(), actor=world.manager, resolution="Retraining planned.")
    summary = summarize(world.org)
    assert summary.data("checks")["open_alerts_count"] == 0
    assert summary.attention_count == 1
    content = page(world)
    assert "Failed technical checks" in content and "Open alerts" not in content
    assert "Nothing is waiting" not in content

    # A run that passes (the limit relaxed) takes it off the list.
    check.thresholds = [{"metric": "demographic_parity_difference", "op": "max", "limit": 0.5}]
    save_check(check, actor=world.owner)
    assert run_check(check, actor=world.owner).status == RunStatus.PASSED
    summary = summarize(world.org)
    assert summary.data("checks")["failing_checks_count"] == 0
    assert summary.attention_count == 0
    content = page(world)
    assert "Failed technical checks" not in content and "Nothing is waiting" in content


def test_a_check_that_could_not_run_is_failing_and_a_paused_one_is_not(world, credit_system):
    broken = fairness_check(world, credit_system, name="Broken data")
    storage.path_for(broken.data_blob.sha256).write_bytes(b"tampered")
    assert run_check(broken, actor=world.owner).status == RunStatus.ERROR
    paused = fairness_check(world, credit_system, name="Paused")
    run_check(paused, actor=world.owner)
    paused.is_active = False
    save_check(paused, actor=world.owner)
    never_run = fairness_check(world, credit_system, name="Never run")

    checks = summarize(world.org).data("checks")
    assert [c.pk for c in checks["failing_checks"]] == [broken.pk]
    assert checks["failing_checks"][0].latest_status_label == "Could not run"
    assert never_run.pk not in [c.pk for c in checks["failing_checks"]]
    assert "Could not run" in page(world)


def test_failing_checks_cost_the_same_queries_however_many(world, credit_system):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client(world.owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(world)).status_code == 200
        return len(ctx.captured_queries)

    run_check(fairness_check(world, credit_system, name="Parity 0"), actor=world.owner)
    one = queries()
    for i in (1, 2):
        run_check(fairness_check(world, credit_system, name=f"Parity {i}"), actor=world.owner)
    assert summarize(world.org).data("checks")["failing_checks_count"] == 3
    assert queries() == one
