"""The /api/ surface: one NinjaAPI, bearer-token or session authentication, one error body.
Each app contributes a router under /api/v1/."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
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


class ErrorDetail(Schema):
    code: str
    message: str
    extra: dict[str, Any]


class ErrorOut(Schema):
    """The one error body of every refusal."""

    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    "401": "Not signed in, or the token is not valid",
    "403": "Not allowed to do this",
    "404": "Not found, or outside your jurisdiction",
    "409": "Not allowed in the current state, or in conflict with existing data",
    "413": "Request body too large",
    "415": "Request body is not JSON",
    "422": "Invalid input",
    "429": "Too many requests",
    "503": "Server busy, retry later",
}
READ_ERRORS = ("403", "404", "422", "429", "503")
WRITE_ERRORS = (*READ_ERRORS, "409", "413", "415")


class ShouwangApi(NinjaAPI):
    """NinjaAPI whose OpenAPI document also declares the refusals every operation can answer,
    with the one error body (handlers below), so that the document is true of every answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


def document_errors(schema: OpenAPISchema) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs", {}))
    components["ErrorOut"] = error_schema
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            codes = list(
                WRITE_ERRORS if method in {"post", "put", "patch", "delete"} else READ_ERRORS
            )
            codes.append("401")  # no or a bad token; the token and push endpoints' own checks
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_DESCRIPTIONS[code],
                        "content": {"application/json": {"schema": ref}},
                    },
                )


api = ShouwangApi(
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


@api.exception_handler(MultiPartParserError)
def on_unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 422, "invalid", _("请求内容无法解析。"), {})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals, in our body; its 400 ("Cannot parse request body": not the
    JSON it says it is) is bad input like any other."""
    if exc.status_code == 400:
        return error_response(request, 422, "invalid", _("请求内容无法解析。"), {})
    return error_response(request, exc.status_code, "error", str(exc), {})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthorized", _("需要登录或有效的 API 令牌。"), {})


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """An id beyond what the database stores (SQLite raises before querying): no such object."""
    return error_response(request, 404, "not_found", _("找不到该对象，或不在您的辖区内。"), {})


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "too_large", _("请求内容过大。"), {})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("找不到该对象，或不在您的辖区内。"), {})


def register_routers() -> None:
    from shouwang.cases.api import router as cases_router
    from shouwang.community.api import router as community_router
    from shouwang.core.api import auth_router, geo_router, people_router
    from shouwang.devices.api import router as devices_router
    from shouwang.gazetteer.api import router as gazetteer_router
    from shouwang.housing.api import router as housing_router
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
    api.add_router("/v1/housing", housing_router)
    api.add_router("/v1/geo", gazetteer_router)


register_routers()
