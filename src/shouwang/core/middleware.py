"""Turns domain errors raised under a page view into the matching status and error page: the
one place pages map ApplicationError (the API has its own handler in shouwang/api.py)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shouwang.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, ApplicationError):
            return None
        context = {"status": exc.status, "message": str(exc.message)}
        return render(request, "core/error.html", context, status=exc.status)
