from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "onlinesafety.mail"
    label = "mail"
    verbose_name = "Outgoing email"
