from django.urls import path

from . import views

app_name = "filtering"

urlpatterns = [
    path("filtering/requests/", views.request_list, name="requests"),
    path("filtering/requests/new/", views.request_new, name="request_new"),
    path("filtering/requests/<int:request_id>/", views.request_detail, name="request"),
    path("filtering/requests/<int:request_id>/<slug:step>/", views.request_step, name="step"),
    path("filtering/log/", views.change_log, name="log"),
    path("filtering/log.csv", views.change_log_csv, name="log_csv"),
    path("filtering/report/", views.report_site, name="report"),
    path("filtering/checks/", views.checks, name="checks"),
    path("filtering/checks/new/", views.check_new, name="check_new"),
    path("filtering/reviews/new/", views.review_new, name="review_new"),
    path("filtering/reviews/<int:review_id>/", views.review_detail, name="review"),
    path("filtering/imports/", views.import_list, name="imports"),
    path("filtering/imports/<int:import_id>/", views.import_detail, name="import"),
    path("filtering/imports/flag/", views.flag_to_incident, name="flag_to_incident"),
]
