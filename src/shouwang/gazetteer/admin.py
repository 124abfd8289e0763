from django.contrib import admin

from shouwang.gazetteer.models import Address


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    list_display = ("text", "kind", "node", "lat", "lng")
    list_filter = ("kind",)
    search_fields = ("text", "key", "initials")
    raw_id_fields = ("node",)
