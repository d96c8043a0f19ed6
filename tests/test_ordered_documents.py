"""What a person or the engine wrote in order comes back in that order, on SQLite and PostgreSQL.

Issue 7, finding 11: PostgreSQL's jsonb sorts an object's keys (shortest first), so the columns a
user entered and the groups and metrics of a run came back reordered there.
"""

from aims.checks.models import Check, CheckRun, Kind, RunStatus, SourceType, stored_options

# Keys in an order that no sorting gives: longest first, not alphabetical.
RESULT = {
    "by_group": {
        "sex=Female|age_band=over_65": {"selection_rate": 0.2, "count": 40},
        "sex=Male": {"selection_rate": 0.5, "count": 60},
        "age": {"selection_rate": 0.4, "count": 100},
    },
    "overall": {"selection_rate": 0.38, "count": 200},
    "aggregates": {},
    "thresholds": [],
    "passed": True,
}


def test_a_runs_documents_keep_the_order_they_were_written_in(world, credit_system):
    check = Check.objects.create(
        organization=world.org,
        system=credit_system,
        name="Parity",
        kind=Kind.FAIRNESS,
        source_type=SourceType.PIPELINE,
    )
    run = CheckRun.objects.create(
        definition=check,
        organization=world.org,
        status=RunStatus.PASSED,
        result=RESULT,
        statistics={"zeta": 1, "alpha": 2, "mid": 3},
        fingerprint={"sha256": "ab" * 32, "file": "log.parquet", "rows": 200},
    )
    run = CheckRun.objects.get(pk=run.pk)
    assert run.result == RESULT
    assert list(run.result["by_group"]) == list(RESULT["by_group"])
    assert list(run.result["by_group"]["sex=Male"]) == ["selection_rate", "count"]
    assert list(run.statistics) == ["zeta", "alpha", "mid"]
    assert list(run.fingerprint) == ["sha256", "file", "rows"]
    # Values only come back from a fresh query too.
    values = CheckRun.objects.filter(pk=run.pk).values_list("result", flat=True).get()
    assert list(values["by_group"]) == list(RESULT["by_group"])


def test_column_rules_are_stored_as_pairs_in_the_order_given():
    options = stored_options(
        {
            "expected_columns": {"region": "string", "sex": "string", "age": "integer"},
            "allowed": {"region": ["North", "South"]},
            "min_rows": 10,
        }
    )
    assert options == {
        "expected_columns": [["region", "string"], ["sex", "string"], ["age", "integer"]],
        "allowed": [["region", ["North", "South"]]],
        "min_rows": 10,
    }
    check = Check(options=options)
    assert list(check.column_rule("expected_columns")) == ["region", "sex", "age"]
    assert check.options_as_given()["allowed"] == {"region": ["North", "South"]}
    # A definition saved before rules were lists still reads.
    assert Check(options={"ranges": {"b": [0, 1], "a": [1, 2]}}).column_rule("ranges") == {
        "b": [0, 1],
        "a": [1, 2],
    }


def test_the_migration_turns_saved_rules_into_pairs_and_back(world, credit_system):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("aims.checks.migrations.0005_column_rules_as_lists")
    # Saved before, as an object: on PostgreSQL its keys are sorted already (shortest first),
    # which this order matches, so the pairs come out the same on both databases.
    legacy = {"expected_columns": {"sex": "string", "region": "string"}, "min_rows": 5}
    check = Check.objects.create(
        organization=world.org,
        system=credit_system,
        name="Quality",
        kind=Kind.QUALITY,
        source_type=SourceType.PIPELINE,
        options=legacy,
    )
    untouched = Check.objects.create(
        organization=world.org,
        system=credit_system,
        name="Parity",
        kind=Kind.FAIRNESS,
        source_type=SourceType.PIPELINE,
        options={"label": "repaid", "sensitive": ["sex"]},
    )
    migration.rules_as_lists(apps, None)
    check.refresh_from_db()
    assert check.options == {
        "expected_columns": [["sex", "string"], ["region", "string"]],
        "min_rows": 5,
    }
    migration.rules_as_objects(apps, None)
    check.refresh_from_db()
    assert check.options == legacy
    untouched.refresh_from_db()
    assert untouched.options == {"label": "repaid", "sensitive": ["sex"]}
