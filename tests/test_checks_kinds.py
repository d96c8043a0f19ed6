"""Each kind of check lives in one module (aims.checks.kinds): its options and defaults, its
form fields, what it requires, how it computes a run and what its run page shows; the registry
finds it, and the form, the API and the services ask it."""

import dataclasses
import re

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.checks.api import CheckOptionsIn
from aims.checks.forms import CheckForm
from aims.checks.kinds import KINDS, drift, fairness, kind_of, performance, quality
from aims.checks.kinds.labelled import LabelledDefaults
from aims.checks.models import Check, Kind, RunStatus, SourceType
from aims.checks.samples import BIASED, FAIR
from aims.checks.services import run_check, save_check, store_data_file

MODULES = {Kind.FAIRNESS: fairness, Kind.PERFORMANCE: performance, Kind.DRIFT: drift}
MODULES[Kind.QUALITY] = quality

COLUMNS = {"label": "repaid", "prediction": "approved", "sensitive": ["sex"]}
# Options that let a check of each kind run on the sample prediction log.
OPTIONS = {
    Kind.FAIRNESS: {**COLUMNS, "reference_group": "sex=Male"},
    Kind.PERFORMANCE: COLUMNS,
    Kind.DRIFT: {"columns": ["score", "age_band"]},
    Kind.QUALITY: {"min_rows": 10, "ranges": [["score", [0, 1]]]},
}


@pytest.fixture
def system(credit_system):
    return credit_system


def upload(path):
    return store_data_file(SimpleUploadedFile(path.name, path.read_bytes()))


def unsaved(world, system, kind: Kind, **fields) -> Check:
    """A check of ``kind`` on the sample log; a drift check compares it with the fair one."""
    data_blob, data_name = upload(BIASED)
    reference_blob, reference_name = upload(FAIR) if kind == Kind.DRIFT else (None, "")
    return Check(
        organization=world.org,
        system=system,
        name=fields.pop("name", f"{kind.label} of approvals"),
        kind=kind,
        source_type=SourceType.UPLOAD,
        data_blob=data_blob,
        data_name=data_name,
        reference_blob=reference_blob,
        reference_name=reference_name,
        options=fields.pop("options", OPTIONS[kind]),
        **fields,
    )


def define(world, system, kind: Kind, **fields) -> Check:
    return save_check(unsaved(world, system, kind, **fields), actor=world.owner)


def test_every_kind_has_its_module_found_from_a_check_or_its_name():
    assert list(KINDS) == list(Kind)
    for kind, module in MODULES.items():
        assert KINDS[kind] is module.KIND and module.KIND.kind == kind
        assert kind_of(kind) is kind_of(kind.value) is kind_of(Check(kind=kind)) is module.KIND
    with pytest.raises(ValueError):
        kind_of("sentiment")


def test_each_kind_declares_the_options_it_reads_and_their_defaults():
    assert fairness.KIND.options == (
        "label",
        "prediction",
        "score",
        "threshold",
        "positive_label",
        "sensitive",
        "reference_group",
        "min_group_size",
    )
    assert performance.KIND.options == (*fairness.KIND.options, "task")
    assert drift.KIND.options == ("columns", "categorical")
    assert quality.KIND.options == (
        "expected_columns",
        "max_missing",
        "ranges",
        "allowed",
        "max_duplicate_share",
        "min_rows",
        "max_rows",
    )
    assert dataclasses.asdict(fairness.DEFAULTS) == {"min_group_size": 30, "threshold": 0.5}
    assert dataclasses.asdict(performance.DEFAULTS) == {
        **dataclasses.asdict(fairness.DEFAULTS),
        "task": "classification",
    }
    assert fairness.KIND.defaults is fairness.DEFAULTS
    assert performance.KIND.defaults is performance.DEFAULTS
    assert (
        dataclasses.asdict(drift.KIND.defaults) == dataclasses.asdict(quality.KIND.defaults) == {}
    )


@pytest.mark.parametrize("kind", list(Kind))
def test_the_api_and_the_form_take_every_option_of_a_kind(kind):
    module = kind_of(kind)
    assert set(module.options) <= set(CheckOptionsIn.model_fields)
    laid_out = [
        name
        for fieldset in module.fieldsets
        for row in fieldset.rows
        for name in row.fields.split()
    ]
    assert sorted(laid_out) == sorted(module.form_fields)  # every field shown, once


def test_fairness_and_performance_share_their_column_options():
    assert performance.KIND.form_fields["label"] is fairness.KIND.form_fields["label"]
    assert performance.KIND.columns(COLUMNS) == fairness.KIND.columns(COLUMNS)
    assert fairness.KIND.fieldsets[0].legend == performance.KIND.fieldsets[0].legend


def test_the_defaults_are_the_ones_the_form_the_api_and_the_service_use(world):
    form = CheckForm(organization=world.org, instance=Check(organization=world.org))
    assert form["min_group_size"].initial == fairness.DEFAULTS.min_group_size
    assert form["threshold"].initial == fairness.DEFAULTS.threshold
    assert form["task"].initial == performance.DEFAULTS.task
    fields = CheckOptionsIn.model_fields
    assert fields["min_group_size"].default == fairness.DEFAULTS.min_group_size
    assert fields["task"].default == performance.DEFAULTS.task
    assert f"({fairness.DEFAULTS.threshold:g})" in fields["threshold"].description


def test_changing_a_default_in_its_module_changes_what_the_api_the_form_and_a_run_use(
    world, system, monkeypatch
):
    monkeypatch.setattr(
        fairness.KIND, "defaults", LabelledDefaults(min_group_size=10_000, threshold=0.25)
    )
    sent = {"label": "repaid", "score": "score", "sensitive": ["sex"]}
    assert fairness.KIND.options_from_api(sent) == {
        **sent,
        "threshold": 0.25,
        "min_group_size": 10_000,
    }
    built = fairness.KIND.options_from_form(
        {"label": "repaid", "score": "score", "threshold": None, "sensitive": "sex"}
    )
    assert built["threshold"] == 0.25 and built["min_group_size"] == 10_000
    check = define(world, system, Kind.FAIRNESS)  # its options leave out min_group_size
    assert fairness.KIND.form_initial(check)["min_group_size"] == 10_000
    run = run_check(check)
    assert run.result["min_group_size"] == 10_000
    assert run.result["insufficient"] == ["sex=Female"]
    table = fairness.KIND.metric_table(run.result)
    assert table["too_small"] == {"groups": ["sex=Female"], "min_group_size": 10_000}


# What the run's result holds that only that kind's computation writes.
COMPUTED = {
    Kind.FAIRNESS: lambda run: "demographic_parity_difference" in run.result["aggregates"],
    Kind.PERFORMANCE: lambda run: "accuracy" in run.result["overall"],
    Kind.DRIFT: lambda run: set(run.result["by_group"]) == {"score", "age_band"},
    Kind.QUALITY: lambda run: "min_rows" in run.result["by_group"],
}


@pytest.mark.parametrize("kind", list(Kind))
def test_a_check_of_each_kind_is_computed_by_its_module(world, system, monkeypatch, kind):
    called = []
    for module in KINDS.values():
        real = module.compute

        def spy(check, data, fingerprint, module=module, real=real):
            called.append(module.kind)
            return real(check, data, fingerprint)

        monkeypatch.setattr(module, "compute", spy)
    run = run_check(define(world, system, kind))
    assert called == [kind]
    assert run.status in (RunStatus.PASSED, RunStatus.FAILED), run.error
    assert COMPUTED[kind](run)
    assert run.fingerprint["rows"] == 20_000
    assert ("reference" in run.inputs()) is kind_of(kind).reads_reference


@pytest.mark.parametrize(
    "kind, options, refused",
    [
        (Kind.FAIRNESS, {"label": "repaid", "prediction": "approved"}, {"sensitive"}),
        (Kind.PERFORMANCE, {"label": "repaid", "prediction": "approved"}, set()),
        (Kind.PERFORMANCE, {"sensitive": ["sex"]}, {"label", "prediction"}),
        (Kind.QUALITY, {}, set()),
    ],
)
def test_each_kind_requires_its_own_options(world, system, kind, options, refused):
    if refused:
        with pytest.raises(ValidationError) as error:
            define(world, system, kind, options=options)
        assert set(error.value.message_dict) == refused
        assert not Check.objects.exists()
    else:
        assert define(world, system, kind, options=options).pk


def test_a_drift_check_needs_reference_data_unless_the_pipeline_posts_its_report(world, system):
    check = unsaved(world, system, Kind.DRIFT, name="Drift")
    check.reference_blob = None
    with pytest.raises(ValidationError) as error:
        save_check(check, actor=world.owner)
    assert error.value.message_dict == {
        "reference_file": ["A drift check compares with reference data: give it."]
    }
    check.source_type, check.data_blob = SourceType.PIPELINE, None
    assert save_check(check, actor=world.owner).pk


def test_a_kind_that_does_not_exist_is_refused_by_name(world, system):
    check = unsaved(world, system, Kind.QUALITY, name="Mood")
    check.kind = "sentiment"
    with pytest.raises(ValidationError) as error:
        save_check(check, actor=world.owner)
    assert "fairness, performance, drift, quality" in error.value.message_dict["kind"][0]
    assert not Check.objects.exists()


EVERY_OPTION = {
    "label": "repaid",
    "prediction": "approved",
    "score": "",
    "threshold": None,
    "sensitive": ["sex"],
    "min_group_size": 50,
    "task": "regression",
    "columns": ["score"],
    "categorical": [],
    "ranges": {"score": (0.0, 1.0)},
    "max_missing": 0.1,
}


@pytest.mark.parametrize(
    "kind, kept",
    [
        (
            Kind.FAIRNESS,
            {
                "label": "repaid",
                "prediction": "approved",
                "sensitive": ["sex"],
                "min_group_size": 50,
            },
        ),
        (
            Kind.PERFORMANCE,
            {
                "label": "repaid",
                "prediction": "approved",
                "sensitive": ["sex"],
                "min_group_size": 50,
                "task": "regression",
            },
        ),
        (Kind.DRIFT, {"columns": ["score"]}),
        (Kind.QUALITY, {"ranges": {"score": [0.0, 1.0]}, "max_missing": 0.1}),
    ],
)
def test_the_api_keeps_the_options_of_the_kind_and_leaves_out_unset_ones(kind, kept):
    assert kind_of(kind).options_from_api(EVERY_OPTION) == kept


def test_the_form_shows_each_fieldset_and_row_for_the_kinds_that_read_them(world):
    page = world.client(world.contributor).get(
        reverse("check_create", kwargs={"org": world.org.slug})
    )
    html = page.content.decode()
    shown = dict(re.findall(r'data-show-values="([a-z ]+)"><legend>([^<]+)</legend>', html))
    assert shown == {
        "fairness performance": "Columns (fairness and performance)",
        "drift": "Drift",
        "quality": "Data quality rules",
    }
    task = html.index('id="id_task"')
    assert html.rindex('data-show-values="performance"', 0, task) > html.index("id_min_group_size")
    reference = html.index('id="id_reference_file"')
    assert html.rindex('data-show-values="drift"', 0, reference) > html.index('id="id_data_path"')
    for kind in KINDS.values():
        assert kind.limits_help in html


def test_a_performance_check_uses_its_own_minimum_group_size(world, system):
    """The stored option reaches the engine: groups smaller than it are "insufficient data"."""
    check = define(
        world,
        system,
        Kind.PERFORMANCE,
        options={
            "label": "repaid",
            "prediction": "approved",
            "sensitive": ["sex"],
            "min_group_size": 1_000_000,
        },
        thresholds=[],
    )
    run = run_check(check, actor=world.owner)
    statuses = {group: values.get("status") for group, values in run.result["by_group"].items()}
    assert statuses and set(statuses.values()) == {"insufficient data"}
    check.options = {**check.options, "min_group_size": 30}
    check.save()
    rerun = run_check(check, actor=world.owner)
    assert {v.get("status") for v in rerun.result["by_group"].values()} <= {None, "ok"}


def test_a_drift_run_through_the_quantile_sketch_says_so_with_its_bound():
    """Columns of more than 10 million rows are compared through a sketch: the run's figures
    say how many and how close the KS statistic is; an exact run says nothing of it."""
    from aims.metrics import drift_report
    from aims.metrics.thresholds import summary

    rng = np.random.default_rng(7)
    reference = {"score": rng.normal(size=200_000), "age": rng.normal(size=200_000)}
    current = {"score": rng.normal(0.3, size=200_000), "age": rng.normal(size=200_000)}

    def found(**options):
        result = summary("drift", drift_report(reference, current, **options).to_dict(), [])
        return dict(drift.KIND.aggregates(result))

    assert "approximate" not in found()
    sketched = found(exact_limit=1_000)
    assert sketched["approximate"].startswith("2 columns compared through a quantile sketch")
    assert re.search(r"within \d\.\de-0\d of the exact one$", sketched["approximate"])
