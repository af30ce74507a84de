from django.urls import reverse

from onlinesafety.navigation import Notice

from . import rights
from .selectors.agreements import unsigned_agreements
from .selectors.family import family_outstanding_count

QUIET_PATHS = ("/aup/mine/", "/aup/family/", "/aup/sign/")


def agreements_to_sign(request) -> list[Notice]:
    """Shown on every page until done: the member's own agreements, and a parent's children still to answer."""
    if request.path.startswith(QUIET_PATHS):
        return []
    notices = []
    unsigned = unsigned_agreements(request.user, request.school)
    if unsigned:
        count = len(unsigned)
        notices.append(Notice(f"You have {count} acceptable use agreement{'s' if count != 1 else ''} to sign.",
                              reverse("aup:mine"), "Read and sign"))
    if rights.is_parent(request.user, request.school):
        waiting = family_outstanding_count(request.user, request.school)
        if waiting:
            notices.append(Notice(
                f"{waiting} of your children {'need' if waiting != 1 else 'needs'} your answer to a school agreement.",
                reverse("aup:family"), "Answer now"))
    return notices
