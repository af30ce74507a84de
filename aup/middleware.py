from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SESSION_FLAG = "aup_check_after_login"
PASS_THROUGH = ("/aup/", "/accounts/", "/static/", "/admin/", "/dev/")
# Never waits for an agreement: reporting a concern (the form, its pupil search, the page after sending), every
# incident page (a case link from an urgent alert), the alerts, and the pupils' and parents' report forms.
NEVER_HELD_UP = ("/incidents/", "/alerts/", "/tell/", "/p/")


class AgreementsFirstMiddleware:
    """After signing in, a member with an agreement to sign sees it before anything else. Once: after that a
    notice on every page reminds them (see ``aup.apps``). Reporting a concern, the incident pages and the alerts are
    never held up: the check waits for the next other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._should_check(request):
            del request.session[SESSION_FLAG]
            from .selectors.agreements import unsigned_agreements

            if unsigned_agreements(request.user, request.school):
                return redirect(f"{reverse('aup:mine')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _should_check(request) -> bool:
        return (
            request.method == "GET"
            and request.user.is_authenticated
            and getattr(request, "school", None) is not None
            and request.session.get(SESSION_FLAG)
            and not request.headers.get("HX-Request")
            and not request.path.startswith(PASS_THROUGH + NEVER_HELD_UP)
        )
