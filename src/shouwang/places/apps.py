from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "shouwang.places"
    label = "places"
    verbose_name = _("场所与共治单位")
