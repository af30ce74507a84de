from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "onlinesafety.submissions"
    label = "submissions"
    verbose_name = "Forms sent once"
