"""Password sign-in and role permissions. Lockout is django-axes' backend, listed first in
AUTHENTICATION_BACKENDS (see core/signin_lockout.py); the second factor is asked after the
password by the sign-in page and the token endpoint (core/services/second_factor.py)."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from shouwang.core.roles import ROLE_PERMISSIONS


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' lockout check. Every sign-in that comes from outside carries its request
    (the sign-in page, the token endpoint); a check without one (Django's test client's
    `login()`, a shell) has no address to count and is let through to the password check."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


class RoleBackend(ModelBackend):
    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        perms = set(super().get_group_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= ROLE_PERMISSIONS.get(user_obj.role, frozenset())
        return perms
