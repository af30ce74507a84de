"""The two errors a service raises, the same in every app.

``RuleBroken``: the change is not allowed in the record's current state (a closed case, a period that is over,
a draft not yet written). Views show its message as a form error or a message and change nothing; see
``onlinesafety.views.refusal``.

``NotAllowed``: the person asking may not do this at all. Views check rights before calling a service, so this
is the second line (defence in depth): it becomes the 403 page.
"""

from django.core.exceptions import PermissionDenied


class RuleBroken(ValueError):
    """The change is not allowed now; the message says why, in words a school understands."""


class NotAllowed(PermissionDenied):
    """The actor does not hold the right this service needs."""


def require(allowed: bool, message: str = "You may not do that.") -> None:
    """A service's own check of the right its view has already checked."""
    if not allowed:
        raise NotAllowed(message)
