"""Competence, training and awareness: requirements, training records, the matrix, the import,
the pages and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.competence import services
from aims.competence.area import training_due, training_measures
from aims.competence.dashboard import part
from aims.competence.matrix import Holding, competence_matrix
from aims.competence.models import Competence, Course, Requirement, TrainingRecord, add_months
from aims.competence.services import (
    ImportRefused,
    import_training,
    record_training,
    save_competence,
    save_course,
)
from aims.core.areas import measures
from aims.core.errors import Refused
from aims.organizations.models import Role
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def setup(world):
    """Two competences: risk assessment needed by every manager and by the contributor by
    name; fairness testing needed by the contributor. A course giving each."""
    risk = save_competence(
        Competence(organization=world.org, name="AI risk assessment"),
        actor=world.owner,
        roles=[Role.MANAGER],
        people=[world.contributor],
    )
    fairness = save_competence(
        Competence(organization=world.org, name="Fairness testing"),
        actor=world.owner,
        people=[world.contributor],
    )
    risk_course = save_course(
        Course(organization=world.org, title="Risk workshop", validity_months=12),
        actor=world.owner,
        competences=[risk],
    )
    fairness_course = save_course(
        Course(organization=world.org, title="Fairness testing with OpenAIMS"),
        actor=world.owner,
        competences=[fairness],
    )
    return {
        "risk": risk,
        "fairness": fairness,
        "risk_course": risk_course,
        "fairness_course": fairness_course,
    }


def train(world, person, course, completed_on, expires_on=None, *, today=TODAY):
    return record_training(
        TrainingRecord(
            organization=world.org,
            person=person,
            course=course,
            completed_on=completed_on,
            expires_on=expires_on,
        ),
        actor=world.owner,
        today=today,
    )


# --- Requirements and courses ---------------------------------------------------------------


def test_requirements_follow_the_competence_form_and_are_in_the_trail(world, setup):
    risk = setup["risk"]
    rows = set(Requirement.objects.filter(competence=risk).values_list("role", "person_id"))
    assert rows == {(Role.MANAGER, None), ("", world.contributor.pk)}
    save_competence(risk, actor=world.owner, roles=[Role.AUDITOR], people=[])
    rows = set(Requirement.objects.filter(competence=risk).values_list("role", "person_id"))
    assert rows == {(Role.AUDITOR, None)}
    deleted = AuditEvent.objects.filter(record_type="competence.requirement", action="delete")
    assert deleted.count() == 2


def test_a_requirement_names_a_member_never_an_outsider(world, setup):
    with pytest.raises(ValidationError) as caught:
        save_competence(setup["risk"], actor=world.owner, people=[world.outsider])
    assert "people" in caught.value.message_dict


def test_competence_names_are_unique_whatever_the_case(world, setup):
    with pytest.raises(ValidationError) as caught:
        save_competence(
            Competence(organization=world.org, name="ai RISK assessment"), actor=world.owner
        )
    assert "name" in caught.value.message_dict


def test_a_course_cannot_give_another_organizations_competence(world, setup):
    theirs = save_competence(
        Competence(organization=world.other_org, name="Theirs"), actor=world.outsider
    )
    with pytest.raises(ValidationError) as caught:
        save_course(setup["risk_course"], actor=world.owner, competences=[theirs])
    assert "competences" in caught.value.message_dict


def test_a_course_with_training_records_is_not_deleted(world, setup):
    train(world, world.manager, setup["risk_course"], TODAY)
    with pytest.raises(Refused):
        services.delete_course(setup["risk_course"], actor=world.owner)
    assert Course.objects.filter(pk=setup["risk_course"].pk).exists()


# --- Training records -----------------------------------------------------------------------


def test_the_expiry_is_computed_from_the_course_validity(world, setup):
    record = train(world, world.manager, setup["risk_course"], dt.date(2026, 1, 31))
    assert record.expires_on == dt.date(2027, 1, 31)
    forever = train(world, world.contributor, setup["fairness_course"], TODAY)
    assert forever.expires_on is None
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)


def test_an_expiry_typed_in_is_kept(world, setup):
    record = train(
        world, world.manager, setup["risk_course"], TODAY, expires_on=dt.date(2026, 9, 1)
    )
    assert record.expires_on == dt.date(2026, 9, 1)


def test_training_completed_in_the_future_is_refused(world, setup):
    with pytest.raises(ValidationError) as caught:
        train(world, world.manager, setup["risk_course"], TODAY + dt.timedelta(days=1))
    assert "completed_on" in caught.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_an_expiry_before_the_completion_is_refused(world, setup):
    with pytest.raises(ValidationError) as caught:
        train(world, world.manager, setup["risk_course"], TODAY, expires_on=TODAY)
    assert "expires_on" in caught.value.message_dict


def test_training_of_someone_outside_the_organization_is_refused(world, setup):
    with pytest.raises(ValidationError) as caught:
        train(world, world.outsider, setup["risk_course"], TODAY)
    assert "person" in caught.value.message_dict


# --- The matrix -----------------------------------------------------------------------------


def test_matrix_states_computed_by_hand(world, setup):
    """Manager: risk held until well after 30 days. Contributor: risk expiring in 20 days,
    fairness expired. Nobody else needs anything; the manager does not need fairness."""
    train(world, world.manager, setup["risk_course"], TODAY - dt.timedelta(days=10))
    train(
        world,
        world.contributor,
        setup["risk_course"],
        TODAY - dt.timedelta(days=300),
        expires_on=TODAY + dt.timedelta(days=20),
    )
    train(
        world,
        world.contributor,
        setup["fairness_course"],
        TODAY - dt.timedelta(days=400),
        expires_on=TODAY - dt.timedelta(days=1),
    )
    matrix = competence_matrix(world.org, today=TODAY)
    risk, fairness = setup["risk"], setup["fairness"]
    assert [c.competence.name for c in matrix.columns] == ["AI risk assessment", "Fairness testing"]
    assert matrix.cell(world.manager, risk).state == Holding.HELD
    assert matrix.cell(world.manager, fairness).state == Holding.NOT_REQUIRED
    assert matrix.cell(world.contributor, risk).state == Holding.EXPIRING
    assert matrix.cell(world.contributor, fairness).state == Holding.EXPIRED
    assert matrix.cell(world.owner, risk).state == Holding.NOT_REQUIRED
    # Gaps: the contributor's expired fairness only; required: manager 1, contributor 2.
    assert matrix.by_person[world.contributor.pk].gaps == 1
    assert matrix.by_person[world.manager.pk].gaps == 0
    assert [c.gaps for c in matrix.columns] == [0, 1]
    assert matrix.required == 3 and matrix.held == 2
    assert matrix.fully_trained == 1  # the manager
    assert matrix.share_held() == pytest.approx(66.7)


def test_a_missing_competence_becomes_held_once_trained(world, setup):
    before = competence_matrix(world.org, today=TODAY)
    assert before.cell(world.manager, setup["risk"]).state == Holding.MISSING
    train(world, world.manager, setup["risk_course"], TODAY)
    after = competence_matrix(world.org, today=TODAY)
    assert after.cell(world.manager, setup["risk"]).state == Holding.HELD


def test_a_renewal_counts_over_an_expired_record(world, setup):
    course = setup["risk_course"]
    train(world, world.manager, course, dt.date(2024, 1, 1))  # expired 2025-01-01
    assert (
        competence_matrix(world.org, today=TODAY).cell(world.manager, setup["risk"]).state
        == Holding.EXPIRED
    )
    train(world, world.manager, course, dt.date(2026, 5, 1))
    assert (
        competence_matrix(world.org, today=TODAY).cell(world.manager, setup["risk"]).state
        == Holding.HELD
    )


def test_the_matrix_filters_by_role(world, setup):
    matrix = competence_matrix(world.org, today=TODAY, role=Role.MANAGER)
    assert [row.person for row in matrix.rows] == [world.manager]
    assert [c.competence for c in matrix.columns] == [setup["risk"]]


def test_the_matrix_ignores_other_organizations(world, setup):
    theirs = save_competence(
        Competence(organization=world.other_org, name="Theirs"),
        actor=world.outsider,
        roles=[Role.OWNER],
    )
    matrix = competence_matrix(world.org, today=TODAY)
    assert theirs not in [c.competence for c in matrix.columns]
    assert world.outsider not in [row.person for row in matrix.rows]


def test_the_matrix_takes_a_constant_number_of_queries(world, setup):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            competence_matrix(world.org, today=TODAY)
        return len(ctx.captured_queries)

    small = count()
    for i in range(15):
        competence = save_competence(
            Competence(organization=world.org, name=f"Extra {i}"),
            actor=world.owner,
            roles=[Role.CONTRIBUTOR],
        )
        course = save_course(
            Course(organization=world.org, title=f"Extra course {i}"),
            actor=world.owner,
            competences=[competence],
        )
        train(world, world.contributor, course, TODAY)
    assert count() == small == 4


def test_nothing_required_gives_no_measure(world):
    measure = measures()["training_complete"]
    assert measure.label == "Share of required training complete"
    assert measure.compute(world.org, TODAY) is None
    assert [m.key for m in training_measures()] == ["training_complete"]


def test_the_measure_is_the_share_of_required_competences_held(world, setup):
    train(world, world.manager, setup["risk_course"], TODAY)
    # Required: manager risk, contributor risk and fairness: 1 of 3 held.
    assert measures()["training_complete"].compute(world.org, TODAY) == pytest.approx(33.3)


# --- Due and dashboard ----------------------------------------------------------------------


def test_training_due_goes_to_the_person_and_the_managers(world, setup):
    train(
        world,
        world.contributor,
        setup["risk_course"],
        TODAY - dt.timedelta(days=300),
        expires_on=TODAY + dt.timedelta(days=20),
    )
    train(
        world,
        world.contributor,
        setup["fairness_course"],
        TODAY - dt.timedelta(days=400),
        expires_on=TODAY - dt.timedelta(days=5),
    )
    train(world, world.manager, setup["risk_course"], TODAY - dt.timedelta(days=10))  # a year
    items = sorted(training_due(world.org, TODAY), key=lambda i: i.due)
    assert [(i.kind, i.due) for i in items] == [
        ("Training expired", TODAY - dt.timedelta(days=5)),
        ("Training expiry", TODAY + dt.timedelta(days=20)),
    ]
    assert items[1].people == {world.contributor.pk, world.owner.pk, world.manager.pk}


def test_expired_training_renewed_since_is_not_due(world, setup):
    course = setup["risk_course"]
    train(world, world.manager, course, TODAY - dt.timedelta(days=500))
    train(world, world.manager, course, TODAY - dt.timedelta(days=2))
    assert training_due(world.org, TODAY) == []


def test_the_dashboard_counts_fully_trained_people_and_expiring_training(world, setup):
    today = timezone.localdate()
    train(world, world.manager, setup["risk_course"], today, today=today)
    train(
        world,
        world.contributor,
        setup["fairness_course"],
        today,
        expires_on=today + dt.timedelta(days=3),
        today=today,
    )
    found = part(world.org)
    assert found.stats[0].value == 1 and found.stats[0].of == 6
    assert found.data["expiring_count"] == 1
    assert found.steps[0].title == "Record competence and training" and found.steps[0].done


# --- Import ---------------------------------------------------------------------------------

HEADER = "email_or_username,course,completed_on,expires_on\n"


def test_a_good_file_is_imported_with_usernames_and_emails(world, setup):
    data = (
        HEADER
        + "max.manager,Risk workshop,2026-01-10,\n"
        + "CARLA.CONTRIBUTOR@example.test,fairness testing with openaims,2026-02-01,2027-02-01\n"
    ).encode()
    result = import_training(world.org, data, actor=world.owner, today=TODAY)
    assert (result.imported, result.skipped) == (2, 0)
    manager = TrainingRecord.objects.get(person=world.manager)
    assert manager.expires_on == dt.date(2027, 1, 10)
    contributor = TrainingRecord.objects.get(person=world.contributor)
    assert contributor.course == setup["fairness_course"]
    assert contributor.expires_on == dt.date(2027, 2, 1)
    again = import_training(world.org, data, actor=world.owner, today=TODAY)
    assert (again.imported, again.skipped) == (0, 2)
    assert TrainingRecord.objects.count() == 2


def test_a_bad_file_imports_nothing_and_names_each_row_and_column(world, setup):
    data = (
        HEADER
        + "max.manager,Risk workshop,2026-01-10,\n"  # good, but not imported
        + "nobody,Risk workshop,2026-01-10,\n"
        + "max.manager,Unknown course,2026-01-10,\n"
        + "max.manager,Risk workshop,10/01/2026,\n"
        + "max.manager,Risk workshop,2026-07-01,\n"
        + "oscar.outsider,Risk workshop,2026-01-10,\n"
    ).encode()
    with pytest.raises(ImportRefused) as caught:
        import_training(world.org, data, actor=world.owner, today=TODAY)
    errors = [(e.row, e.column) for e in caught.value.row_errors]
    assert errors == [
        (3, "email_or_username"),
        (4, "course"),
        (5, "completed_on"),
        (6, "completed_on"),
        (7, "email_or_username"),
    ]
    assert "future" in str(caught.value.row_errors[3])
    assert str(caught.value.row_errors[0]).startswith("Row 3, column email_or_username:")
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize(
    "data,words",
    [
        (b"name,course\nx,y\n", "header"),
        (b"", "empty"),
        (HEADER.encode(), "no rows"),
        (HEADER.encode() + b"max.manager,Risk\x00,2026-01-01,\n", "null"),
        (b"\xff\xfe" + HEADER.encode(), "UTF-8"),
        (HEADER.encode() + b"a" * (services.IMPORT_MAX_BYTES), "larger"),
    ],
)
def test_unreadable_files_are_refused(world, setup, data, words):
    with pytest.raises(ImportRefused) as caught:
        import_training(world.org, data, actor=world.owner, today=TODAY)
    assert words in " ".join(caught.value.messages)
    assert not TrainingRecord.objects.exists()


def test_too_many_rows_are_refused(world, setup, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_MAX_ROWS", 2)
    data = (HEADER + "max.manager,Risk workshop,2026-01-10,\n" * 3).encode()
    with pytest.raises(ImportRefused) as caught:
        import_training(world.org, data, actor=world.owner, today=TODAY)
    assert "more than 2 rows" in caught.value.messages[0]


# --- Pages ----------------------------------------------------------------------------------


def test_recording_training_on_the_page_fills_the_gap(world, setup):
    client = world.client(world.contributor)
    url = reverse("training_create", kwargs={"org": world.org.slug})
    response = client.post(
        url,
        {
            "person": world.manager.pk,
            "course": setup["risk_course"].pk,
            "completed_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.expires_on == add_months(timezone.localdate(), 12)
    page = client.get(reverse("competence_matrix", kwargs={"org": world.org.slug}))
    assert page.status_code == 200
    assert page.context["matrix"].cell(world.manager, setup["risk"]).state == Holding.HELD


def test_a_future_completion_is_refused_beside_the_field(world, setup):
    client = world.client(world.contributor)
    response = client.post(
        reverse("training_create", kwargs={"org": world.org.slug}),
        {
            "person": world.manager.pk,
            "course": setup["risk_course"].pk,
            "completed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "in the future" in response.context["form"].errors["completed_on"][0]
    assert not TrainingRecord.objects.exists()


def test_the_competence_form_saves_who_needs_it(world, setup):
    client = world.client(world.manager)
    response = client.post(
        reverse("competence_create", kwargs={"org": world.org.slug}),
        {
            "name": "EU AI Act basics",
            "description": "Knows the obligations.",
            "roles": [Role.CONTRIBUTOR, Role.MANAGER],
            "people": [world.auditor.pk],
            "controls": [],
        },
    )
    assert response.status_code == 302
    competence = Competence.objects.get(name="EU AI Act basics")
    assert set(competence.requirements.values_list("role", "person_id")) == {
        (Role.CONTRIBUTOR, None),
        (Role.MANAGER, None),
        ("", world.auditor.pk),
    }


def test_the_import_page_previews_then_imports(world, setup):
    client = world.client(world.contributor)
    url = reverse("training_import", kwargs={"org": world.org.slug})
    text = HEADER + f"max.manager,Risk workshop,{timezone.localdate().isoformat()},\n"
    upload = SimpleUploadedFile("lms.csv", text.encode(), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert len(preview.context["rows"]) == 1
    assert not TrainingRecord.objects.exists()
    done = client.post(url, {"content": preview.context["content"], "confirm": "1"})
    assert done.status_code == 302
    assert TrainingRecord.objects.get().person == world.manager


def test_the_import_page_lists_errors_and_imports_nothing(world, setup):
    client = world.client(world.contributor)
    url = reverse("training_import", kwargs={"org": world.org.slug})
    upload = SimpleUploadedFile(
        "lms.csv", (HEADER + "ghost,Risk workshop,2026-01-01,\n").encode(), content_type="text/csv"
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 422
    assert "Row 2, column email_or_username" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_deleting_a_training_record_asks_first(world, setup):
    record = train(world, world.manager, setup["risk_course"], TODAY)
    client = world.client(world.manager)
    url = reverse("training_delete", kwargs={"org": world.org.slug, "training_id": record.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Delete this training record?" in confirm.content.decode()
    assert TrainingRecord.objects.filter(pk=record.pk).exists()
    assert client.post(url).status_code == 302
    assert not TrainingRecord.objects.filter(pk=record.pk).exists()


def test_a_contributor_cannot_delete(world, setup):
    record = train(world, world.manager, setup["risk_course"], TODAY)
    client = world.client(world.contributor)
    url = reverse("training_delete", kwargs={"org": world.org.slug, "training_id": record.pk})
    assert client.post(url).status_code == 403
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_a_viewer_cannot_record_training(world, setup):
    client = world.client(world.viewer)
    response = client.post(
        reverse("training_create", kwargs={"org": world.org.slug}),
        {
            "person": world.manager.pk,
            "course": setup["risk_course"].pk,
            "completed_on": "2026-01-01",
        },
    )
    assert response.status_code == 403
    assert not TrainingRecord.objects.exists()


def test_another_organizations_records_are_not_found(world, setup):
    client = world.client(world.outsider)
    url = reverse(
        "competence_detail", kwargs={"org": world.org.slug, "competence_id": setup["risk"].pk}
    )
    assert client.get(url).status_code == 404
    theirs = world.client(world.outsider)
    url = reverse(
        "competence_detail",
        kwargs={"org": world.other_org.slug, "competence_id": setup["risk"].pk},
    )
    assert theirs.get(url).status_code == 404


def test_list_filters_and_csv(world, setup):
    train(world, world.manager, setup["risk_course"], TODAY - dt.timedelta(days=400))  # expired
    train(world, world.contributor, setup["fairness_course"], TODAY - dt.timedelta(days=3))
    client = world.client(world.auditor)
    base = reverse("training_list", kwargs={"org": world.org.slug})
    response = client.get(base, {"state": "expired"})
    assert [r.person for r in response.context["records"]] == [world.manager]
    response = client.get(base, {"q": "fairness"})
    assert [r.person for r in response.context["records"]] == [world.contributor]
    csv = client.get(reverse("training_export_csv", kwargs={"org": world.org.slug}), {"q": "fair"})
    lines = csv.content.decode().splitlines()
    assert len(lines) == 2 and "Fairness testing with OpenAIMS" in lines[1]
    matrix_csv = client.get(reverse("competence_matrix_csv", kwargs={"org": world.org.slug}))
    text = matrix_csv.content.decode()
    assert "AI risk assessment" in text.splitlines()[0]
    assert "Gaps per competence" in text


# --- API ------------------------------------------------------------------------------------


def test_api_records_training_and_refuses_a_future_date(world, setup):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/training-records",
        {"person": "max.manager", "course": setup["risk_course"].pk, "completed_on": "2026-01-05"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["expires_on"] == "2027-01-05"
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = api.post(
        "/api/v1/training-records",
        {"person": "max.manager", "course": setup["risk_course"].pk, "completed_on": future},
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "completed_on"
    assert TrainingRecord.objects.count() == 1


def test_api_refuses_an_outsider_as_the_person(world, setup):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/training-records",
        {
            "person": "oscar.outsider",
            "course": setup["risk_course"].pk,
            "completed_on": "2026-01-05",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person"


def test_api_competences_and_courses(world, setup):
    api = ApiClient.for_member(world.manager, world.org)
    created = api.post(
        "/api/v1/competences",
        {"name": "Data protection for ML", "roles": ["contributor"], "controls": ["A.4.6"]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["roles"] == ["contributor"] and body["controls"] == ["A.4.6"]
    changed = api.patch(f"/api/v1/competences/{body['id']}", {"people": ["aud.auditor"]})
    assert changed.json()["people"] == ["aud.auditor"] and changed.json()["roles"] == [
        "contributor"
    ]
    course = api.post(
        "/api/v1/courses",
        {"title": "GDPR for ML", "competences": ["Data protection for ML"], "validity_months": 24},
    )
    assert course.status_code == 201
    assert course.json()["competences"] == ["Data protection for ML"]
    unknown = api.post("/api/v1/courses", {"title": "X", "competences": ["Nope"]})
    assert unknown.status_code == 422
    listed = api.get("/api/v1/competences", {"role": "contributor"})
    assert [c["name"] for c in listed.json()["items"]] == ["Data protection for ML"]


def test_api_filters_by_an_id_too_large_for_the_column_find_nothing(world, setup):
    # The number used to reach the database, which refused it: 500.
    api = ApiClient.for_member(world.viewer, world.org)
    for path, params in [
        ("/api/v1/courses", {"competence": 2**70}),
        ("/api/v1/training-records", {"course": 2**70}),
    ]:
        response = api.get(path, params)
        assert response.status_code == 200, path
        assert response.json()["count"] == 0


def test_api_refuses_true_as_a_course_id_or_a_validity(world, setup):
    # true used to be read as the number 1.
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/training-records",
        {"person": "max.manager", "course": True, "completed_on": "2026-01-05"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "course", "message": "Enter a whole number."}]
    response = api.post("/api/v1/courses", {"title": "Ethics", "validity_months": True})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "validity_months"
    assert not TrainingRecord.objects.exists()
    assert not Course.objects.filter(title="Ethics").exists()


def test_api_import_names_rows_and_imports_nothing_on_error(world, setup):
    api = ApiClient.for_member(world.contributor, world.org)
    bad = SimpleUploadedFile(
        "lms.csv",
        (HEADER + "max.manager,Risk workshop,2026-01-05,\nmax.manager,Nope,2026-01-05,\n").encode(),
    )
    response = api.post_form("/api/v1/training-records/import", {"file": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "course",
            "message": "Row 3, column course: Unknown course “Nope”: add it to "
            "the courses first, with the same title.",
        }
    ]
    assert not TrainingRecord.objects.exists()
    good = SimpleUploadedFile(
        "lms.csv", (HEADER + "max.manager,Risk workshop,2026-01-05,\n").encode()
    )
    response = api.post_form("/api/v1/training-records/import", {"file": good})
    assert response.status_code == 201
    assert response.json() == {"imported": 1, "skipped": 0, "dry_run": False}


def test_api_viewer_cannot_import(world, setup):
    api = ApiClient.for_member(world.viewer, world.org)
    good = SimpleUploadedFile(
        "lms.csv", (HEADER + "max.manager,Risk workshop,2026-01-05,\n").encode()
    )
    assert api.post_form("/api/v1/training-records/import", {"file": good}).status_code == 403
    assert not TrainingRecord.objects.exists()


def test_api_matrix(world, setup):
    train(world, world.manager, setup["risk_course"], timezone.localdate(), today=None)
    api = ApiClient.for_member(world.viewer, world.org)
    body = api.get("/api/v1/competence-matrix").json()
    manager = next(p for p in body["people"] if p["person"] == "max.manager")
    assert manager["cells"][0] == {
        "competence": "AI risk assessment",
        "state": "held",
        "expires_on": add_months(timezone.localdate(), 12).isoformat(),
    }
    assert body["gaps"] == 2  # the contributor lacks both


def test_api_hides_another_organizations_training(world, setup):
    record = train(world, world.manager, setup["risk_course"], TODAY)
    api = ApiClient.for_member(world.outsider, world.other_org)
    assert api.get(f"/api/v1/training-records/{record.pk}").status_code == 404
    assert api.patch(f"/api/v1/training-records/{record.pk}", {"note": "x"}).status_code == 404
    assert api.get("/api/v1/training-records").json()["count"] == 0
