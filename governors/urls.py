from django.urls import path

from . import views

app_name = "governors"

urlpatterns = [
    path("governors/reports/", views.reports, name="reports"),
    path("governors/reports/generate/", views.generate, name="generate"),
    path("governors/reports/<int:report_id>/progress/", views.progress, name="progress"),
    path("governors/reports/<int:report_id>/download/", views.download, name="download"),
    path("governors/reports/<int:report_id>/retry/", views.retry, name="retry"),
]
