"""The staff sign-in page: password first, then, for those who must have one, the code from an
authenticator app (or a recovery code). A person without a device enrols here: the page shows a
QR code drawn on this server, and the first good code confirms it and shows ten recovery codes
once. The admin site signs in through this page too."""

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from shouwang.core.models import User
from shouwang.core.roles import FIELD_HOME_ROLES
from shouwang.core.services.second_factor import (
    provisioning_uri,
    qr_svg,
    second_factor_begin,
    second_factor_confirm,
    second_factor_enrolled,
    second_factor_pending_device,
    second_factor_required,
    second_factor_verify,
)

PENDING_KEY = "shouwang_signin_pending"
PENDING_SECONDS = 300


class SignInView(auth_views.LoginView):
    template_name = "core/login.html"
    signing_in: User | None = None

    def get_default_redirect_url(self) -> str:
        if self.signing_in is not None and self.signing_in.role in FIELD_HOME_ROLES:
            return resolve_url("field-tasks")
        return str(super().get_default_redirect_url())

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        self.signing_in = user
        if not second_factor_required(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login-second-factor")


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def second_factor(request: HttpRequest) -> HttpResponseBase:
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    user, pending = found
    enrolling = not second_factor_enrolled(user)
    error = False
    if request.method == "POST":
        code = str(request.POST.get("code", ""))[:32]
        if enrolling:
            codes = second_factor_confirm(user=user, code=code, request=request)
            if codes is not None:
                _finish(request, user, pending)
                return render(
                    request,
                    "core/recovery_codes.html",
                    {"codes": codes, "next": pending["next"]},
                )
        elif second_factor_verify(user=user, code=code, request=request):
            _finish(request, user, pending)
            return HttpResponseRedirect(pending["next"])
        error = True
    context: dict[str, Any] = {"enrolling": enrolling, "error": error}
    if enrolling:
        device = second_factor_pending_device(user=user)
        if device is None or request.method == "GET":
            device = second_factor_begin(user=user)
        uri = provisioning_uri(device)
        context.update({"qr": qr_svg(uri), "secret": uri.split("secret=")[1].split("&")[0]})
    return render(request, "core/second_factor.html", context)


def _finish(request: HttpRequest, user: User, pending: dict[str, Any]) -> None:
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=pending["backend"])


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's sign-in goes through the staff page (password, then second factor)."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return HttpResponseRedirect(
        f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': target or reverse('admin:index')})}"
    )
