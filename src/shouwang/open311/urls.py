"""Open311 GeoReport v2 routes, mounted at /open311/v2/ by shouwang/urls.py. The format is the
resource's extension (services.json, services.xml); anything else under the prefix is a 404 in
the specification's error format."""

from django.urls import URLPattern, URLResolver, path, re_path

from shouwang.open311 import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern | URLResolver] = [
    # The root shows the discovery document, as the Service Discovery page recommends.
    path("", views.discovery_view, {"fmt": "xml"}, name="root"),
    re_path(rf"^discovery{FORMAT}", views.discovery_view, name="discovery"),
    re_path(rf"^services{FORMAT}", views.services_view, name="services"),
    re_path(rf"^services/(?P<code>[^/.]+){FORMAT}", views.service_definition_view, name="service"),
    re_path(rf"^requests{FORMAT}", views.requests_view, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/.]+){FORMAT}", views.request_view, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FORMAT}", views.token_view, name="token"),
    re_path(r"^(?P<path>.*)$", views.unknown_view, name="unknown"),
]
