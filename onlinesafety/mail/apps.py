from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "onlinesafety.mail"
    label = "mail"
    verbose_name = "Outgoing email"

    def ready(self) -> None:
        from onlinesafety.jobs import register_failed_jobs

        from .selectors import stuck_emails

        register_failed_jobs(stuck_emails)
