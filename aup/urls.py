from django.urls import path

from . import views

app_name = "aup"

urlpatterns = [
    path("aup/", views.agreement_list, name="list"),
    path("aup/<int:agreement_id>/", views.agreement_detail, name="detail"),
    path("aup/<int:agreement_id>/edit/", views.edit_draft, name="edit"),
    path("aup/<int:agreement_id>/publish/", views.publish, name="publish"),
    path("aup/<int:agreement_id>/versions/<int:number>/", views.version_detail, name="version"),
    path("aup/mine/", views.mine, name="mine"),
    path("aup/mine/<int:version_id>/", views.sign_mine, name="sign_mine"),
    path("aup/kiosk/", views.kiosk, name="kiosk"),
    path("aup/visitors/", views.visitor_log, name="visitor_log"),
    path("aup/social-media/", views.account_holders, name="account_holders"),
    path("aup/social-media/<int:holder_id>/remove/", views.remove_account_holder, name="remove_account_holder"),
    path("aup/campaigns/", views.campaign_list, name="campaigns"),
    path("aup/campaigns/new/", views.campaign_new, name="campaign_new"),
    path("aup/campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("aup/coverage/", views.coverage, name="coverage"),
    path("aup/coverage/outstanding/", views.outstanding, name="outstanding"),
    path("aup/coverage/export.csv", views.coverage_csv, name="coverage_csv"),
    path("aup/coverage/resend/", views.resend, name="resend"),
    path("aup/registers/technology/", views.technology_register, name="technology_register"),
    path("aup/registers/technology/add/<int:pupil_id>/", views.add_restriction, name="add_restriction"),
    path("aup/registers/technology/<int:restriction_id>/lift/", views.lift_restriction, name="lift_restriction"),
    path("aup/registers/images/", views.image_register, name="image_register"),
    path("aup/family/", views.family, name="family"),
    path("aup/family/<int:pupil_id>/<slug:kind>/", views.family_answer, name="family_answer"),
    path("aup/family/answers/<int:signature_id>/", views.family_done, name="family_done"),
    path("aup/family/answers/<int:signature_id>/copy.pdf", views.family_copy, name="family_copy"),
    path("aup/sign/<str:token>/", views.sign_landing, name="sign"),
    path("aup/sign/<str:token>/<int:pupil_id>/", views.sign_child, name="sign_child"),
    path("aup/sign/<str:token>/<int:pupil_id>/done/", views.sign_done, name="sign_done"),
    path("aup/sign/<str:token>/<int:pupil_id>/copy.pdf", views.sign_copy, name="sign_copy"),
]
