from django.urls import path

from . import views

app_name = "roster"

urlpatterns = [
    path("roster/", views.current, name="current"),
    path("schools/<slug:slug>/roster/", views.home, name="home"),
    path("schools/<slug:slug>/roster/settings/", views.roster_settings, name="settings"),
    path("schools/<slug:slug>/roster/<slug:kind>/upload/", views.upload, name="upload"),
    path("schools/<slug:slug>/roster/<slug:kind>/fetch/", views.fetch, name="fetch"),
    path("schools/<slug:slug>/roster/imports/<int:import_id>/", views.import_detail, name="import"),
    path("schools/<slug:slug>/roster/imports/<int:import_id>/confirm/", views.confirm, name="confirm"),
    path("schools/<slug:slug>/roster/imports/<int:import_id>/retry/", views.retry, name="retry"),
    path("schools/<slug:slug>/roster/imports/<int:import_id>/discard/", views.discard, name="discard"),
]
