from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("", views.dev_mailbox, name="dev_mailbox"),
    path("<str:message_id>/", views.dev_message, name="dev_message"),
]
