"""Sign-in with lockout after repeated failures (GB/T 22239-2019 level 3) and role permissions."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shouwang.core.roles import ROLE_PERMISSIONS
from shouwang.core.services.signin import signin_is_locked


class LockoutRoleBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username and signin_is_locked(username=username):
            # Raising stops every backend and fires user_login_failed, which audits it as locked.
            raise PermissionDenied("locked")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        perms = set(super().get_group_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= ROLE_PERMISSIONS.get(user_obj.role, frozenset())
        return perms
