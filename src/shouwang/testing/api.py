"""An API client that signs in with a bearer token, as an outside system would."""

import json
from typing import Any

from django.test import Client

from shouwang.testing.city import PASSWORD


class ApiClient:
    def __init__(self, username: str | None = None, password: str = PASSWORD) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if username is not None:
            response = self.post("/api/v1/auth/token", {"username": username, "password": password})
            assert response.status_code == 200, response.content
            self.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            path, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )
