from django.urls import path

from . import meetings, views

urlpatterns = [
    path("", views.role_list, name="leadership_role_list"),
    path("roles.csv", views.role_export_csv, name="leadership_role_export_csv"),
    path("roles/new/", views.role_create, name="leadership_role_create"),
    path("roles/<int:aims_role_id>/", views.role_detail, name="leadership_role_detail"),
    path("roles/<int:aims_role_id>/edit/", views.role_edit, name="leadership_role_edit"),
    path("roles/<int:aims_role_id>/delete/", views.role_delete, name="leadership_role_delete"),
    path("raci/", views.raci, name="leadership_raci"),
    path("raci.csv", views.raci_export_csv, name="leadership_raci_export_csv"),
    path("raci/person/", views.raci_person, name="leadership_raci_person"),
    path("raci/activities/new/", views.activity_create, name="leadership_activity_create"),
    path("raci/activities/<int:raci_activity_id>/", views.raci_row, name="leadership_raci_row"),
    path(
        "raci/activities/<int:raci_activity_id>/edit/",
        views.activity_edit,
        name="leadership_activity_edit",
    ),
    path(
        "raci/activities/<int:raci_activity_id>/delete/",
        views.activity_delete,
        name="leadership_activity_delete",
    ),
    path("meetings/", meetings.meeting_list, name="leadership_meeting_list"),
    path("meetings.csv", meetings.meeting_export_csv, name="leadership_meeting_export_csv"),
    path("meetings/new/", meetings.meeting_create, name="leadership_meeting_create"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="leadership_meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", meetings.meeting_edit, name="leadership_meeting_edit"),
    path(
        "meetings/<int:meeting_id>/delete/",
        meetings.meeting_delete,
        name="leadership_meeting_delete",
    ),
    path(
        "meetings/<int:meeting_id>/decisions/new/",
        meetings.decision_create,
        name="leadership_decision_create",
    ),
    path(
        "meetings/<int:meeting_id>/actions/new/",
        meetings.action_create,
        name="leadership_action_create",
    ),
    path(
        "decisions/<int:meeting_decision_id>/edit/",
        meetings.decision_edit,
        name="leadership_decision_edit",
    ),
    path(
        "actions/<int:meeting_action_id>/edit/",
        meetings.action_edit,
        name="leadership_action_edit",
    ),
]
