"""Password sign-in and role permissions. Lockout is django-axes' backend, listed first in
AUTHENTICATION_BACKENDS (see core/signin_lockout.py); the second factor is asked after the
password by the sign-in page and the token endpoint (core/services/second_factor.py)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from shouwang.core.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        perms = set(super().get_group_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            perms |= ROLE_PERMISSIONS.get(user_obj.role, frozenset())
        return perms
