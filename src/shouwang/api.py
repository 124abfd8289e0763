"""The /api/ surface: one NinjaAPI, bearer-token or session authentication, one error body.
Each app contributes a router under /api/v1/."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from shouwang.core.errors import ApplicationError
from shouwang.core.models import User
from shouwang.core.services.tokens import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token=token)
        if user is not None:
            request.user = user
        return user


bearer = BearerToken()
API_AUTH = [bearer, django_auth]

api = NinjaAPI(
    title="Shouwang 守望 API",
    version="1",
    description="平安共治平台接口 · Public-safety co-governance API",
    auth=API_AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, extra: dict[str, Any]
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "extra": extra}}
    return api.create_response(request, body, status=status)


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, str(exc.message), exc.extra)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return error_response(request, 422, "invalid", _("输入有误。"), {"errors": errors})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", _("需要登录或有效的 API 令牌。"), {})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("找不到该对象，或不在您的辖区内。"), {})


def register_routers() -> None:
    from shouwang.cases.api import router as cases_router
    from shouwang.community.api import router as community_router
    from shouwang.core.api import auth_router, geo_router, people_router
    from shouwang.devices.api import router as devices_router
    from shouwang.gazetteer.api import router as gazetteer_router
    from shouwang.insight.api import router as insight_router
    from shouwang.inspections.api import router as inspections_router
    from shouwang.mediation.api import router as mediation_router
    from shouwang.notify.api import router as notify_router
    from shouwang.places.api import router as places_router

    api.add_router("/v1/auth", auth_router)
    api.add_router("/v1/geo", geo_router)
    api.add_router("/v1", people_router)
    api.add_router("/v1/notify", notify_router)
    api.add_router("/v1", cases_router)
    api.add_router("/v1", places_router)
    api.add_router("/v1", devices_router)
    api.add_router("/v1", insight_router)
    api.add_router("/v1", mediation_router)
    api.add_router("/v1", inspections_router)
    api.add_router("/v1", community_router)
    api.add_router("/v1/geo", gazetteer_router)


register_routers()
