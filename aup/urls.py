from django.urls import path

from .views import agreements, campaigns, coverage, family, links, members, registers

app_name = "aup"

urlpatterns = [
    path("aup/", agreements.agreement_list, name="list"),
    path("aup/<int:agreement_id>/", agreements.agreement_detail, name="detail"),
    path("aup/<int:agreement_id>/edit/", agreements.edit_draft, name="edit"),
    path("aup/<int:agreement_id>/publish/", agreements.publish, name="publish"),
    path("aup/<int:agreement_id>/versions/<int:number>/", agreements.version_detail, name="version"),
    path("aup/mine/", members.mine, name="mine"),
    path("aup/mine/<int:version_id>/", members.sign_mine, name="sign_mine"),
    path("aup/kiosk/", members.kiosk, name="kiosk"),
    path("aup/visitors/", members.visitor_log, name="visitor_log"),
    path("aup/social-media/", members.account_holders, name="account_holders"),
    path("aup/social-media/<int:holder_id>/remove/", members.remove_account_holder, name="remove_account_holder"),
    path("aup/campaigns/", campaigns.campaign_list, name="campaigns"),
    path("aup/campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("aup/campaigns/<int:campaign_id>/", campaigns.campaign_detail, name="campaign"),
    path("aup/coverage/", coverage.coverage, name="coverage"),
    path("aup/coverage/outstanding/", coverage.outstanding, name="outstanding"),
    path("aup/coverage/export.csv", coverage.coverage_csv, name="coverage_csv"),
    path("aup/coverage/resend/", coverage.resend, name="resend"),
    path("aup/registers/technology/", registers.technology_register, name="technology_register"),
    path("aup/registers/technology/add/<int:pupil_id>/", registers.add_restriction, name="add_restriction"),
    path("aup/registers/technology/<int:restriction_id>/lift/", registers.lift_restriction,
         name="lift_restriction"),
    path("aup/registers/images/", registers.image_register, name="image_register"),
    path("aup/family/", family.family, name="family"),
    path("aup/family/<int:pupil_id>/<slug:kind>/", family.family_answer, name="family_answer"),
    path("aup/family/answers/<int:signature_id>/", family.family_done, name="family_done"),
    path("aup/family/answers/<int:signature_id>/copy.pdf", family.family_copy, name="family_copy"),
    path("aup/sign/<str:token>/", links.sign_landing, name="sign"),
    path("aup/sign/<str:token>/<int:pupil_id>/", links.sign_child, name="sign_child"),
    path("aup/sign/<str:token>/<int:pupil_id>/done/", links.sign_done, name="sign_done"),
    path("aup/sign/<str:token>/<int:pupil_id>/copy.pdf", links.sign_copy, name="sign_copy"),
]
