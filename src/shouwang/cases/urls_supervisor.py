"""Page routes (one screen family per module, so each is owned and changed on its own): the
supervisor's verification and callback queues."""

from django.urls import URLPattern, URLResolver, path

from shouwang.cases.views import supervisor

urlpatterns: list[URLPattern | URLResolver] = [
    path("supervise/verify/", supervisor.verify_queue, name="supervise-verify"),
    path("supervise/verify/<int:case_id>/", supervisor.verify_case, name="supervise-verify-case"),
    path(
        "supervise/verify/<int:case_id>/approve/",
        supervisor.verify_approve,
        name="supervise-verify-approve",
    ),
    path(
        "supervise/verify/<int:case_id>/reject/",
        supervisor.verify_reject,
        name="supervise-verify-reject",
    ),
    path(
        "supervise/verify/<int:case_id>/close/",
        supervisor.verify_close,
        name="supervise-verify-close",
    ),
    path("supervise/callbacks/", supervisor.callbacks_queue, name="supervise-callbacks"),
    path(
        "supervise/callbacks/<int:case_id>/",
        supervisor.callback_record,
        name="supervise-callback-record",
    ),
    path(
        "supervise/callbacks/<int:case_id>/caller/",
        supervisor.callback_caller,
        name="supervise-callback-caller",
    ),
]
