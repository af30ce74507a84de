"""What every app's views share: turning a refused change into a message, and following ``next`` safely."""

from types import TracebackType

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from onlinesafety.rules import RuleBroken

NOTHING_CHANGED = "Nothing was changed: {error}"


class refusal:  # noqa: N801 (used as a context manager, named like one)
    """Runs a service call; a ``RuleBroken`` it raises becomes a form error (with ``form``) or an error message,
    and is swallowed. Nothing was saved, because services raise before they write.

        with refusal(request, form) as attempt:
            change = services.request_change(...)
        if attempt.ok:
            return redirect(...)
    """

    def __init__(self, request: HttpRequest, form: forms.BaseForm | None = None, field: str | None = None) -> None:
        self.request, self.form, self.field = request, form, field
        self.ok = True
        self.error: RuleBroken | None = None

    def __enter__(self) -> "refusal":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        if exc_type is None or not issubclass(exc_type, RuleBroken):
            return False
        assert isinstance(exc, RuleBroken)
        self.ok, self.error = False, exc
        if self.form is not None:
            self.form.add_error(self.field, str(exc))
        else:
            messages.error(self.request, NOTHING_CHANGED.format(error=exc))
        return True


def local_path(request: HttpRequest, target: str) -> str:
    """``target`` if it is a path on this site, else ""."""
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return target
    return ""


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address sent with the request if it is a path on this site, else ""."""
    return local_path(request, request.POST.get("next") or request.GET.get("next") or "")


def redirect_to_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to ``next`` if it is safe, else to ``default`` (a path). Never resolved as a view name."""
    return HttpResponseRedirect(safe_next(request) or default)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
