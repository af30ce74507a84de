from django.urls import path

from . import outside_views, views

app_name = "incidents"

urlpatterns = [
    path("incidents/new/", views.report, name="report"),
    path("incidents/pupil-search/", views.pupil_search, name="pupil_search"),
    path("incidents/mine/", views.my_reports, name="mine"),
    path("incidents/triage/", views.triage, name="triage"),
    path("incidents/export.csv", views.export_log, name="export"),
    path("incidents/response-tables/", views.response_tables, name="response_tables"),
    path("incidents/<int:incident_id>/", views.case, name="case"),
    path("incidents/<int:incident_id>/submitted/", views.submitted, name="submitted"),
    path("incidents/<int:incident_id>/change/<slug:change>/", views.case_change, name="change"),
    path("incidents/<int:incident_id>/responses/", views.take_responses, name="take_responses"),
    path("incidents/<int:incident_id>/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("incidents/<int:incident_id>/shared/<int:user_id>/revoke/", views.revoke_share, name="revoke_share"),
    path("incidents/<int:incident_id>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("incidents/<int:incident_id>/checklists/add/", views.checklist_add, name="checklist_add"),
    path("incidents/<int:incident_id>/checklists/<slug:kind>/", views.checklist_answer, name="checklist_answer"),
    path("incidents/<int:incident_id>/checklists/<slug:kind>/discovered/", views.checklist_clock,
         name="checklist_clock"),
    path("pupils/<int:pupil_id>/chronology/", views.chronology, name="chronology"),
    # Reports from pupils and parents (no account): outside_views.py.
    path("incidents/pupil-link/", outside_views.pupil_link, name="pupil_link"),
    path("tell/<str:token>/", outside_views.tell, name="tell"),
    path("tell/<str:token>/thanks/", outside_views.tell_thanks, name="tell_thanks"),
    path("p/<slug:school_slug>/report/", outside_views.parent_report, name="parent_report"),
    path("p/<slug:school_slug>/report/sent/", outside_views.parent_report_sent, name="parent_report_sent"),
]
