from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("policies/", views.register, name="register"),
    path("policies/new/", views.create, name="create"),
    path("policies/read/", views.to_read, name="to_read"),
    path("policies/<int:policy_id>/", views.detail, name="detail"),
    path("policies/<int:policy_id>/edit/", views.edit, name="edit"),
    path("policies/<int:policy_id>/review/", views.start_review, name="start_review"),
    path("policies/<int:policy_id>/draft/", views.draft, name="draft"),
    path("policies/<int:policy_id>/upload/", views.upload, name="upload"),
    path("policies/<int:policy_id>/submit/", views.submit, name="submit"),
    path("policies/<int:policy_id>/approve/", views.approve, name="approve"),
    path("policies/<int:policy_id>/send-back/", views.send_back, name="send_back"),
    path("policies/<int:policy_id>/remind/", views.remind, name="remind"),
    path("policies/<int:policy_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("policies/<int:policy_id>/versions/<int:version_id>/", views.version_file, name="version"),
    path("policies/early-review/incident/<int:incident_id>/", views.early_review_for_incident,
         name="early_review_for_incident"),
    path("p/<slug:school_slug>/policies/", views.public_register, name="public"),
    path("p/<slug:school_slug>/policies/<int:policy_id>/", views.public_file, name="public_file"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/<int:duty_id>/", views.duty_detail, name="duty"),
    path("compliance/<int:duty_id>/evidence/<int:completion_id>/", views.duty_evidence, name="duty_evidence"),
]
