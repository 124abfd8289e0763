"""The actions a screen offers are the actions the services allow: for people of every role on
cases in every state, each action `actions_for` offers is taken by its service without refusal,
and each it withholds is refused (tried in a savepoint that is rolled back)."""

from collections.abc import Callable

import pytest
from django.db import transaction

from shouwang.cases import services
from shouwang.cases.models import Case
from shouwang.cases.rules.actions import actions_for
from shouwang.cases.states import CaseAction
from shouwang.cases.tests.factories import (
    POINT,
    Loop,
    accepted,
    closed,
    dispatched,
    fresh,
    on_scene,
    received,
    resolved,
)
from shouwang.core.errors import ApplicationError
from shouwang.core.models import User

LAT, LNG = POINT["a"]
TAKE: dict[CaseAction, Callable[[User, Case], object]] = {
    CaseAction.ACCEPT: lambda u, c: services.assignment_accept(actor=u, case=c),
    CaseAction.ARRIVE: lambda u, c: services.assignment_arrive(actor=u, case=c, lat=LAT, lng=LNG),
    CaseAction.FEEDBACK: lambda u, c: services.assignment_feedback(actor=u, case=c, note="好"),
    CaseAction.RESOLVE: lambda u, c: services.assignment_resolve(actor=u, case=c, note="好"),
    CaseAction.RETURN: lambda u, c: services.assignment_return(actor=u, case=c, reason="非本所"),
    CaseAction.VERIFY: lambda u, c: services.case_verify(actor=u, case=c),
    CaseAction.REJECT: lambda u, c: services.case_reject(actor=u, case=c, reason="未处置"),
    CaseAction.CLOSE: lambda u, c: services.case_close(actor=u, case=c),
    CaseAction.CALLBACK: lambda u, c: services.callback_record(actor=u, case=c, result="satisfied"),
    CaseAction.REOPEN: lambda u, c: services.case_reopen(actor=u, case=c, reason="再查"),
    CaseAction.CANCEL: lambda u, c: services.case_cancel(actor=u, case=c, reason="误报"),
}


class Rollback(Exception):
    pass


def allowed_by_service(take: Callable[[User, Case], object], user: User, case: Case) -> bool:
    try:
        with transaction.atomic():
            take(user, fresh(case))
            raise Rollback
    except Rollback:
        return True
    except ApplicationError:
        return False


@pytest.mark.parametrize(
    "make", [received, dispatched, accepted, on_scene, resolved, closed], ids=lambda f: f.__name__
)
def test_what_a_screen_offers_is_what_the_services_allow(loop: Loop, make) -> None:
    case = make(loop)
    people = [loop.person(role) for role in ("responder", "dispatcher", "leader", "volunteer")]
    people.append(loop.person("responder", "b"))
    for user in people:
        loaded = Case.objects.prefetch_related("assignments", "callbacks").get(pk=case.pk)
        offered = actions_for(user=user, case=loaded)
        for action, take in TAKE.items():
            assert (action in offered) == allowed_by_service(take, user, case), (
                user.username,
                make.__name__,
                action.value,
            )
