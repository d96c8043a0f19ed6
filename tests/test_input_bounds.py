"""Every text a person can send has a maximum length, and the form, the model and the API agree.

Issue 7, "bounded input everywhere": a text field without a limit is bounded only by the request
body (2 MiB); each one states its own, and a null character is refused with a field error.
"""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models

import aims
from aims.api.urls import api

# Reference text loaded from ../shared/reference by `aims catalog load`, never typed by a person.
READ_ONLY_APPS = {"catalog"}


def aims_models():
    return [m for m in apps.get_models() if m.__module__.startswith("aims.")]


def form_classes():
    for module_info in pkgutil.walk_packages(aims.__path__, "aims."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", cls


def test_every_text_column_people_write_has_a_maximum_length():
    unbounded = [
        f"{model.__name__}.{field.name}"
        for model in aims_models()
        if model._meta.app_label not in READ_ONLY_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.max_length
    ]
    assert unbounded == []


def test_long_text_columns_enforce_their_length_in_validation_too():
    """A TextField's max_length is not a database constraint: a validator enforces it."""
    missing = [
        f"{model.__name__}.{field.name}"
        for model in aims_models()
        if model._meta.app_label not in READ_ONLY_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and not any(getattr(v, "limit_value", None) == field.max_length for v in field.validators)
    ]
    assert missing == []


def test_every_text_field_of_every_form_has_a_maximum_length():
    forms_found = list(form_classes())
    assert len(forms_found) >= 10  # the walk found the forms
    unbounded = [
        f"{name}.{field_name}"
        for name, cls in forms_found
        for field_name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert unbounded == []


def test_model_forms_and_their_models_agree_on_lengths():
    disagree = []
    for name, cls in form_classes():
        model = getattr(getattr(cls, "_meta", None), "model", None)
        if model is None:
            continue
        for field_name, field in cls.base_fields.items():
            try:
                column = model._meta.get_field(field_name)
            except Exception:  # noqa: BLE001 - a form field that fills no column
                continue
            if isinstance(field, forms.CharField) and field.max_length != column.max_length:
                disagree.append(f"{name}.{field_name}: {field.max_length} != {column.max_length}")
    assert disagree == []


def _strings_without_limit(schema, components, path, seen):
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        if ref not in seen:
            seen.add(ref)
            yield from _strings_without_limit(components[ref], components, [*path, ref], seen)
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _strings_without_limit(part, components, path, seen)
    if schema.get("type") == "string" and not {"maxLength", "enum", "format"} & set(schema):
        yield ".".join(path)
    if schema.get("type") == "array":
        yield from _strings_without_limit(schema.get("items", {}), components, [*path, "[]"], seen)
    for name, part in (schema.get("properties") or {}).items():
        yield from _strings_without_limit(part, components, [*path, name], seen)
    if isinstance(schema.get("additionalProperties"), dict):
        extra = schema["additionalProperties"]
        yield from _strings_without_limit(extra, components, [*path, "*"], seen)


def test_every_text_the_api_accepts_has_a_maximum_length():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    unbounded, inputs = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = [method.upper(), path]
            for parameter in operation.get("parameters", []):
                inputs += 1
                unbounded += _strings_without_limit(
                    parameter.get("schema", {}), components, [*where, parameter["name"]], set()
                )
            for content in operation.get("requestBody", {}).get("content", {}).values():
                inputs += 1
                unbounded += _strings_without_limit(
                    content["schema"], components, [*where, "body"], set()
                )
    assert inputs > 20
    assert unbounded == []


@pytest.mark.parametrize(
    "model_label, schema_name, field_name",
    [
        ("risk.Risk", "RiskIn", "title"),
        ("risk.Risk", "RiskIn", "description"),
        ("inventory.AISystem", "SystemIn", "purpose"),
        ("checks.Check", "CheckIn", "data_path"),
        ("risk.RiskAcceptance", "AcceptanceIn", "rationale"),
    ],
)
def test_the_api_states_the_models_length(model_label, schema_name, field_name):
    model = apps.get_model(model_label)
    schema = api.get_openapi_schema()["components"]["schemas"][schema_name]
    limit = model._meta.get_field(field_name).max_length
    assert schema["properties"][field_name]["maxLength"] == limit


def test_a_form_refuses_text_over_its_length_and_a_null_character(world):
    from django.urls import reverse

    from aims.risk.models import Risk

    url = reverse("risk_create", kwargs={"org": world.org.slug})
    client = world.client(world.manager)
    base = {
        "title": "Biased approvals",
        "category": "fairness",
        "inherent_likelihood": 3,
        "inherent_impact": 4,
        "treatment": "mitigate",
    }
    limit = Risk._meta.get_field("title").max_length
    too_long = client.post(url, {**base, "title": "x" * (limit + 1)})
    assert too_long.status_code in (200, 422)
    assert f"at most {limit} characters" in str(too_long.context["form"].errors["title"])
    nul = client.post(url, {**base, "title": "Biased\x00approvals"})
    assert "Null characters are not allowed" in str(nul.context["form"].errors["title"])
    assert not Risk.objects.exists()


def test_a_risk_level_name_over_its_length_is_refused(world):
    from django.core.exceptions import ValidationError

    from aims.risk.models import LEVEL_LABEL_MAX_LENGTH, RiskMatrix
    from aims.risk.services import update_matrix

    matrix = RiskMatrix.objects.get(organization=world.org)
    before = list(matrix.impact_labels)
    matrix.impact_labels = [*before[:-1], "x" * (LEVEL_LABEL_MAX_LENGTH + 1)]
    with pytest.raises(ValidationError) as error:
        update_matrix(matrix, actor=world.owner)
    assert "100 characters" in error.value.message_dict["impact_labels"][0]
    assert RiskMatrix.objects.get(pk=matrix.pk).impact_labels == before
