from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", views.inbox, name="inbox"),
    path("monitoring/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("monitoring/alerts/<int:alert_id>/dismiss/", views.alert_dismiss, name="dismiss"),
    path("monitoring/alerts/<int:alert_id>/link/", views.alert_link, name="link"),
    path("monitoring/alerts/<int:alert_id>/open-case/", views.alert_open_case, name="open_case"),
    path("monitoring/imports/", views.import_list, name="imports"),
    path("monitoring/imports/<int:import_id>/", views.import_detail, name="import"),
    path("monitoring/imports/<int:import_id>/retry/", views.import_retry, name="import_retry"),
    path("monitoring/settings/", views.webhook_settings, name="settings"),
    path("monitoring/settings/new-secret/", views.webhook_secret_new, name="new_secret"),
    path("monitoring/inbound/<slug:slug>/", views.webhook, name="webhook"),
]
