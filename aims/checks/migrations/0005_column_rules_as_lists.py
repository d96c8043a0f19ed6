"""Data-quality rules given column by column are stored as lists of [column, rule] pairs, in the
order they were given (PostgreSQL's jsonb sorts an object's keys, reordering the columns)."""

from django.db import migrations

COLUMN_RULES = ("expected_columns", "ranges", "allowed")


def _convert(apps, kind, convert):
    Check = apps.get_model("checks", "Check")
    for check in Check.objects.exclude(options={}).only("pk", "options").iterator():
        options = dict(check.options or {})
        rules = [key for key in COLUMN_RULES if isinstance(options.get(key), kind)]
        for key in rules:
            options[key] = convert(options[key])
        if rules:
            Check.objects.filter(pk=check.pk).update(options=options)


def rules_as_lists(apps, schema_editor):
    _convert(apps, dict, lambda rules: [[column, rule] for column, rule in rules.items()])


def rules_as_objects(apps, schema_editor):
    _convert(apps, list, lambda pairs: {column: rule for column, rule in pairs})


class Migration(migrations.Migration):
    dependencies = [("checks", "0004_task_lease")]

    operations = [migrations.RunPython(rules_as_lists, rules_as_objects)]
