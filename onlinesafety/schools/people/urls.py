from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("people/manage/", views.current, name="current"),
    path("schools/<slug:slug>/people/", views.people_list, name="list"),
    path("schools/<slug:slug>/people/add/", views.add_member, name="add"),
    path("schools/<slug:slug>/people/<int:membership_id>/role/", views.change_role, name="change_role"),
    path("schools/<slug:slug>/people/<int:membership_id>/end/", views.end_membership, name="end"),
    path("schools/<slug:slug>/people/<int:membership_id>/chair/", views.chair, name="chair"),
    path("schools/<slug:slug>/people/<int:membership_id>/link-governor/", views.link_governor,
         name="link_governor"),
    path("schools/<slug:slug>/people/<int:membership_id>/invitation/", views.resend, name="resend"),
    path("schools/<slug:slug>/people/invite/", views.invite_staff, name="invite_staff"),
    path("schools/<slug:slug>/people/parents/", views.parent_list, name="parents"),
    path("schools/<slug:slug>/people/parents/invite/", views.invite_parents, name="invite_parents"),
]
