from django.urls import path

from . import views

urlpatterns = [
    path("", views.proposal_list, name="proposal_list"),
    path("<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path("<int:proposal_id>/decide/", views.proposal_decide, name="proposal_decide"),
    path("<int:proposal_id>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
]
