from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("accounts/sso/", views.sign_in, name="sign_in"),
    path("accounts/sso/<slug:slug>/", views.school_sign_in, name="school_sign_in"),
    path("schools/<slug:slug>/sign-in/", views.school_settings, name="school"),
    path("schools/<slug:slug>/sign-in/<slug:kind>/", views.school_edit, name="school_edit"),
    path("schools/<slug:slug>/sign-in/<slug:kind>/remove/", views.school_remove, name="school_remove"),
    path("trust/<slug:slug>/sign-in/", views.organisation_settings, name="organisation"),
    path("trust/<slug:slug>/sign-in/<slug:kind>/", views.organisation_edit, name="organisation_edit"),
    path("trust/<slug:slug>/sign-in/<slug:kind>/remove/", views.organisation_remove, name="organisation_remove"),
]
