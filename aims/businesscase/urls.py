from django.urls import path

from . import views

urlpatterns = [
    path("", views.business_case_page, name="business_case"),
    path("assumptions/", views.business_case_assumptions, name="business_case_assumptions"),
    path("report/", views.business_case_report, name="business_case_report"),
    path("report.pdf", views.business_case_pdf, name="business_case_pdf"),
]
