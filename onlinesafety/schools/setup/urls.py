from django.urls import path

from . import views

app_name = "setup"

urlpatterns = [
    path("schools/new/", views.school_new, name="school_new"),
    path("schools/setup/", views.current_school_setup, name="current"),
    path("schools/<slug:slug>/setup/", views.school_setup, name="school"),
    path("schools/<slug:slug>/setup/terms/", views.terms, name="terms"),
    path("schools/<slug:slug>/setup/sign-in-security/", views.sign_in_security, name="sign_in_security"),
    path("schools/<slug:slug>/setup/terms/copy-forward/", views.terms_copy_forward, name="terms_copy_forward"),
    path("schools/<slug:slug>/setup/terms/<str:term_id>/", views.term_edit, name="term"),
    path("trust/", views.current_organisation, name="current_organisation"),
    path("trust/<slug:slug>/", views.organisation, name="organisation"),
]
