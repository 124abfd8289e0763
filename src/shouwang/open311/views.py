"""The GeoReport v2 endpoints, thin: read the parameters, call a selector or a service, write
the document in the format the URL names. Reads are anonymous and public (selectors.py says
what that covers); posting a request needs an API key. Every error, whatever raised it, is
answered in the specification's error format (errors.py has the statuses).

`jurisdiction_id` is accepted and ignored everywhere: this endpoint serves one jurisdiction,
which GeoReport v2 allows."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from shouwang.core.errors import ApplicationError, NotFound
from shouwang.open311 import documents, parsing, selectors, services
from shouwang.open311.errors import BadRequest, RateLimited, open311_status
from shouwang.open311.ratelimit import post_rate_check
from shouwang.open311.responses import Format, document_response, error_response

View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """Allows `methods` only (HEAD wherever GET is), and turns domain errors into GeoReport v2
    errors. Machines post here with an API key, not a browser session, so there is no CSRF
    token to check."""
    allowed_methods = [*methods, "HEAD"] if "GET" in methods else list(methods)

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: Format, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed_methods:
                allowed = " or ".join(methods)
                response = error_response(fmt, 405, f"Use {allowed} for this resource.")
                response["Allow"] = ", ".join(allowed_methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ApplicationError as exc:
                response = error_response(fmt, open311_status(exc), str(exc.message))
                if isinstance(exc, RateLimited):
                    response["Retry-After"] = str(exc.retry_after)
                return response

        return wrapper

    return decorate


@endpoint("GET")
def discovery_view(request: HttpRequest, fmt: Format) -> HttpResponse:
    """Service discovery (required beside GeoReport v2): where the endpoint is, which formats
    it speaks, how to get a key."""
    return document_response(fmt, "discovery", documents.discovery(request.build_absolute_uri(".")))


@endpoint("GET")
def services_view(request: HttpRequest, fmt: Format) -> HttpResponse:
    services_ = [documents.service(category) for category in selectors.services_list()]
    return document_response(fmt, "services", services_)


@endpoint("GET")
def service_definition_view(request: HttpRequest, fmt: Format, code: str) -> HttpResponse:
    category = selectors.service_get(code=code)
    return document_response(fmt, "service_definition", documents.service_definition(category))


@endpoint("GET", "POST")
def requests_view(request: HttpRequest, fmt: Format) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    params = request.GET
    ids = parsing.request_ids(params)
    if ids is not None:  # "This overrides all other arguments."
        cases = selectors.requests_list(ids=ids)
    else:
        cases = selectors.requests_list(
            service_codes=parsing.comma_list(params, "service_code"),
            start=parsing.w3c_datetime(params, "start_date"),
            end=parsing.w3c_datetime(params, "end_date"),
            statuses=parsing.statuses(params),
        )
    body = [documents.service_request(case) for case in cases]
    return document_response(fmt, "service_requests", body)


def _post_request(request: HttpRequest, fmt: Format) -> HttpResponse:
    params = request.POST
    # Some clients put api_key in the query string even on a POST.
    key = parsing.text(params, "api_key") or parsing.text(request.GET, "api_key")
    api_key = services.api_key_authenticate(key=key)
    post_rate_check(api_key=api_key)
    code = parsing.text(params, "service_code")
    if not code:
        raise BadRequest("service_code was not provided.")
    case = services.service_request_create(
        api_key=api_key,
        category=selectors.service_get(code=code),
        lat=parsing.coordinate(params, "lat", limit=90),
        lng=parsing.coordinate(params, "long", limit=180),
        address=parsing.text(params, "address_string"),
        address_id=parsing.text(params, "address_id"),
        description=parsing.description(params),
        reporter_name=parsing.reporter_name(params),
        phone=parsing.text(params, "phone"),
        media_url=parsing.text(params, "media_url"),
    )
    return document_response(fmt, "service_requests", [documents.request_created(case)], status=201)


@endpoint("GET")
def request_view(request: HttpRequest, fmt: Format, request_id: str) -> HttpResponse:
    if not request_id.isdigit() or len(request_id) > 18:  # beyond a database integer
        raise NotFound(f"service_request_id {request_id} was not found.")
    case = selectors.request_get(request_id=int(request_id))
    return document_response(fmt, "service_requests", [documents.service_request(case)])


@endpoint("GET")
def token_view(request: HttpRequest, fmt: Format, token: str) -> HttpResponse:
    case = selectors.request_by_token(token=token)
    return document_response(fmt, "service_requests", [documents.token(case)])


@csrf_exempt
def unknown_view(request: HttpRequest, path: str) -> HttpResponse:
    fmt: Format = "json" if path.endswith(".json") else "xml"
    return error_response(
        fmt, 404, "No such GeoReport v2 resource; see discovery.xml for the endpoints."
    )
