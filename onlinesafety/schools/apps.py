from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "onlinesafety.schools"
    label = "schools"
    verbose_name = "Schools and people"
