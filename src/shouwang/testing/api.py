"""An API client that signs in with a bearer token, as an outside system would."""

import json
from typing import Any

from django.test import Client

from shouwang.core.models import User
from shouwang.core.services.second_factor import second_factor_enrol, second_factor_required
from shouwang.testing.city import PASSWORD


def one_time_code(username: str) -> str:
    """A code that passes the second factor of this person once: an administrator's is a fresh
    recovery code (a TOTP code could not be used twice in one 30-second step); others need none."""
    person = User.objects.filter(username=username).first()
    if person is None or not second_factor_required(person):
        return ""
    return second_factor_enrol(user=person, actor=None).recovery_codes[0]


class ApiClient:
    def __init__(self, username: str | None = None, password: str = PASSWORD) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if username is not None:
            body = {"username": username, "password": password, "otp": one_time_code(username)}
            response = self.post("/api/v1/auth/token", body)
            assert response.status_code == 200, response.content
            self.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )
