from django.urls import path

from . import views

app_name = "filtering"

# The paths say "requests": the word the school uses for a change request.
urlpatterns = [
    path("filtering/requests/", views.change_list, name="changes"),
    path("filtering/requests/new/", views.change_new, name="change_new"),
    path("filtering/requests/<int:change_id>/", views.change_detail, name="change"),
    path("filtering/requests/<int:change_id>/<slug:step>/", views.change_step, name="change_step"),
    path("filtering/log/", views.change_log, name="log"),
    path("filtering/log.csv", views.change_log_csv, name="log_csv"),
    path("filtering/report/", views.report_site, name="report"),
    path("filtering/checks/", views.checks, name="checks"),
    path("filtering/checks/new/", views.check_new, name="check_new"),
    path("filtering/reviews/new/", views.review_new, name="review_new"),
    path("filtering/reviews/<int:review_id>/", views.review_detail, name="review"),
    path("filtering/imports/", views.import_list, name="imports"),
    path("filtering/imports/<int:import_id>/", views.import_detail, name="import"),
    path("filtering/imports/<int:import_id>/retry/", views.import_retry, name="import_retry"),
    path("filtering/imports/flag/", views.flag_to_incident, name="flag_to_incident"),
    path("filtering/settings/", views.settings_page, name="settings"),
]
