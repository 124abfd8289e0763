"""Page routes of the housing app (mounted at the site root by shouwang/urls.py)."""

from django.urls import path

from shouwang.housing import views

urlpatterns = [
    path("m/housing/", views.landlord_home, name="housing-home"),
    path("m/housing/premises/<int:premises_id>/", views.premises_detail, name="housing-premises"),
    path("m/housing/rooms/<int:room_id>/register/", views.register, name="housing-register"),
    path("m/housing/rooms/<int:room_id>/publish/", views.publish, name="housing-publish"),
    path("m/housing/tenancies/<int:tenancy_id>/end/", views.end, name="housing-end"),
    path("housing/vacancies/", views.vacancies, name="housing-vacancies"),
]
