from django.urls import path

from . import record_views, views, watch_views
from .kinds import KINDS

SYSTEM = "systems/<int:system_id>/"
CLASSIFICATION = SYSTEM + "classifications/<int:classification_id>/"

urlpatterns = [
    path("", views.overview, name="act_overview"),
    path("export.csv", views.overview_export_csv, name="act_overview_export_csv"),
    path("profile/", views.profile_edit, name="act_profile"),
    path(SYSTEM, views.system_page, name="act_system"),
    path(SYSTEM + "classify/", views.classify, name="act_classify"),
    path(CLASSIFICATION, views.classification_detail, name="act_classification_detail"),
    path(CLASSIFICATION + "sign/", views.classification_sign, name="act_classification_sign"),
    path(CLASSIFICATION + "delete/", views.classification_delete, name="act_classification_delete"),
    path(SYSTEM + "recourse/", record_views.recourse_channel, name="act_recourse_channel"),
    path("requests/", record_views.request_list, name="act_request_list"),
    path("requests/export.csv", record_views.request_export_csv, name="act_request_export_csv"),
    path("requests/new/", record_views.request_create, name="act_request_create"),
    path(
        "requests/<int:recourse_request_id>/",
        record_views.request_detail,
        name="act_request_detail",
    ),
    path(
        "requests/<int:recourse_request_id>/edit/",
        record_views.request_edit,
        name="act_request_edit",
    ),
    path(
        "requests/<int:recourse_request_id>/delete/",
        record_views.request_delete,
        name="act_request_delete",
    ),
    path("watch/", watch_views.change_list, name="act_change_list"),
    path("watch/export.csv", watch_views.change_export_csv, name="act_change_export_csv"),
    path("watch/new/", watch_views.change_create, name="act_change_create"),
    path("watch/<int:regulatory_change_id>/", watch_views.change_detail, name="act_change_detail"),
    path("watch/<int:regulatory_change_id>/edit/", watch_views.change_edit, name="act_change_edit"),
    path(
        "watch/<int:regulatory_change_id>/delete/",
        watch_views.change_delete,
        name="act_change_delete",
    ),
]

# Each kind of system record: a form to add one, its page (the form to edit it) and its
# deletion, by the same three views told the kind.
for _kind in KINDS:
    _record = f"{SYSTEM}{_kind.slug}/<int:{_kind.param}>/"
    urlpatterns += [
        path(
            f"{SYSTEM}{_kind.slug}/new/",
            record_views.record_create,
            {"kind": _kind.slug},
            name=_kind.url_name("create"),
        ),
        path(_record, record_views.record_edit, {"kind": _kind.slug}, name=_kind.url_name("edit")),
        path(
            _record + "delete/",
            record_views.record_delete,
            {"kind": _kind.slug},
            name=_kind.url_name("delete"),
        ),
    ]
