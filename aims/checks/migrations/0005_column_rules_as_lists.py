"""Data-quality rules given column by column are stored as lists of [column, rule] pairs, in the
order they were given (PostgreSQL's jsonb sorts an object's keys, reordering the columns)."""

from django.db import migrations

COLUMN_RULES = ("expected_columns", "ranges", "allowed")


def rules_as_lists(apps, schema_editor):
    Check = apps.get_model("checks", "Check")
    for check in Check.objects.exclude(options={}).only("pk", "options").iterator():
        options = dict(check.options or {})
        changed = False
        for key in COLUMN_RULES:
            if isinstance(options.get(key), dict):
                options[key] = [[column, rule] for column, rule in options[key].items()]
                changed = True
        if changed:
            Check.objects.filter(pk=check.pk).update(options=options)


def rules_as_objects(apps, schema_editor):
    Check = apps.get_model("checks", "Check")
    for check in Check.objects.exclude(options={}).only("pk", "options").iterator():
        options = dict(check.options or {})
        changed = False
        for key in COLUMN_RULES:
            if isinstance(options.get(key), list):
                options[key] = {column: rule for column, rule in options[key]}
                changed = True
        if changed:
            Check.objects.filter(pk=check.pk).update(options=options)


class Migration(migrations.Migration):
    dependencies = [("checks", "0004_task_lease")]

    operations = [migrations.RunPython(rules_as_lists, rules_as_objects)]
