"""Step-up ("elevated access"): the most sensitive pages ask for the second factor again when the last one was
given more than STEP_UP_MINUTES ago. A view calls ``step_up(request)`` once it knows the page is one of them, and
returns its answer when there is one; ``@step_up_required`` does it for a whole view."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import mfa
from .models import User


def step_up(request: HttpRequest) -> HttpResponse | None:
    """None when the second factor is recent; otherwise the redirect that asks for it, coming back here after.
    A person with no second factor is sent to set one up first."""
    if mfa.second_factor_is_recent(request):
        return None
    back = urlencode({"next": request.get_full_path()})
    user = request.user
    if not (isinstance(user, User) and mfa.has_second_factor(user)):
        return redirect(f"{reverse('accounts:second_factor')}?{back}")
    return redirect(f"{reverse('mfa_reauthenticate')}?{back}")


def step_up_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return step_up(request) or view(request, *args, **kwargs)
    return wrapped
