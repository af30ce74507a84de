import re

from aup import services
from aup.models import Agreement
from onlinesafety.mail.models import OutboundEmail

TOKEN_IN_EMAIL = re.compile(r"/aup/sign/([A-Za-z0-9_-]+)/")


def publish_all(school, actor):
    for agreement in Agreement.objects.filter(school=school).order_by("pk"):
        services.publish(agreement=agreement, actor=actor)


def tokens_sent_to(email: str) -> list[str]:
    bodies = OutboundEmail.objects.filter(to=email, kind__in=["aup_invitation", "aup_reminder"]).order_by("pk")
    return [TOKEN_IN_EMAIL.search(body).group(1) for body in bodies.values_list("body", flat=True)]


def answer_form(**overrides):
    data = {"decision": "signed", "discussed_with_child": "on", "relationship": "mother",
            "typed_name": "Pat Parent"}
    data.update(overrides)
    return data
