from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onlinesafety.audit"
    label = "audit"
    verbose_name = "Audit trail"
