"""The one visibility rule read both ways: for every user of the test city (and someone
signed out, and someone switched off) on every kind of case, the predicate the services use
and the filter the selectors use give the same answer."""

from django.contrib.auth.models import AnonymousUser

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.rules.visibility import CLAUSES, can_see_case, visible_cases_q
from shouwang.cases.tests.factories import Loop, make_case
from shouwang.core.models import Role, User
from shouwang.core.services.people import person_create


def cases_of_every_kind(loop: Loop) -> list[Case]:
    plain_a = make_case(loop)
    plain_b = make_case(loop, town="b")
    reported = make_case(
        loop, town="b", actor=loop.person("volunteer"), channel=CaseChannel.APP, code="noise"
    )
    transferred = make_case(loop, town="b")
    services.case_transfer(
        actor=loop.person("dispatcher", "b"), case=transferred, unit=loop.department
    )
    assigned = make_case(loop, town="b")
    services.case_dispatch(
        actor=loop.person("dispatcher", "b"),
        case=assigned,
        people=[loop.person("responder")],
        units=[loop.patrol],
    )
    return [plain_a, plain_b, reported, transferred, assigned]


def everyone(loop: Loop) -> list[User]:
    in_department = person_create(
        username="dept_clerk", role=Role.RESPONDER, node=loop.town("a").node, unit=loop.department
    )
    switched_off = person_create(username="gone", role=Role.DISPATCHER, node=loop.city.node)
    switched_off.is_active = False
    switched_off.save()
    return [*User.objects.exclude(username__startswith="devices-"), in_department, switched_off]


def test_the_predicate_and_the_filter_agree_for_every_user_on_every_case(loop: Loop) -> None:
    cases = [Case.objects.select_related("node").get(pk=c.pk) for c in cases_of_every_kind(loop)]
    users = [*everyone(loop), AnonymousUser()]
    seen_somewhere = 0
    for user in users:
        filtered = set(
            Case.objects.filter(visible_cases_q(user), pk__in=[c.pk for c in cases]).values_list(
                "pk", flat=True
            )
        )
        for case in cases:
            assert can_see_case(user, case) == (case.pk in filtered), (str(user), case.pk)
            seen_somewhere += case.pk in filtered
    assert 0 < seen_somewhere < len(users) * len(cases)


def test_every_clause_lets_someone_see_a_case_no_other_clause_shows_them(loop: Loop) -> None:
    """Each clause matters: for each, some user sees some case by it alone."""
    cases = [Case.objects.select_related("node").get(pk=c.pk) for c in cases_of_every_kind(loop)]
    users = everyone(loop)
    for clause in CLAUSES:
        alone = [
            (u.username, c.pk)
            for u in users
            for c in cases
            if u.is_active
            and clause.holds(u, c)
            and not any(other.holds(u, c) for other in CLAUSES if other is not clause)
        ]
        assert alone, clause.name


def test_someone_signed_out_or_switched_off_sees_nothing(loop: Loop) -> None:
    case = make_case(loop)
    gone = loop.person("dispatcher")
    gone.is_active = False
    assert not can_see_case(AnonymousUser(), case) and not can_see_case(gone, case)
    assert not Case.objects.filter(visible_cases_q(gone)).exists()
