"""Chinese first: pages are in Chinese unless the person chose another language with the switch
(the language cookie). Browsers in command centres are often English builds, so Accept-Language
alone must not turn the interface English. API and Open311 clients may ask with
Accept-Language."""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Interfaces for other systems, where the client's Accept-Language is a deliberate choice.
MACHINE_PREFIXES = ("/api/", "/open311/")


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        if chosen or request.path.startswith(MACHINE_PREFIXES):
            super().process_request(request)
            return
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
