from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("schools/switch/", views.switch_school, name="switch"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("my-children/", views.my_children, name="my_children"),
    path("people/", views.member_list, name="member_list"),
]
