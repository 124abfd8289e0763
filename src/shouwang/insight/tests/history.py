"""Two days of the loop in the test city, replayed through the services at past times
(`clock.backdated`), the way the demo seeds its fortnight: town A works two 110 calls end to end
(one arrival in 5 minutes, one in 12; one satisfied callback, one unsatisfied), takes a false
alarm and a duplicate; town B diverts a non-police matter and closes a noise complaint."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shouwang.cases import clock, services
from shouwang.cases.models import CallbackResult, Case
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.tests.factories import POINT, Loop, fresh, make_case

DAY1 = datetime(2026, 11, 20, tzinfo=SHANGHAI)


@dataclass
class History:
    loop: Loop
    first: date
    last: date

    @property
    def query(self) -> dict[str, str]:
        return {"since": self.first.isoformat(), "until": self.last.isoformat()}


def walk(
    loop: Loop,
    start: datetime,
    *,
    town: str = "a",
    arrive_after: float = 5,
    callback: CallbackResult | None = CallbackResult.SATISFIED,
    code: str = "fight",
) -> Case:
    """One case of `town` from intake to callback, each step a few minutes after the last."""
    dispatcher, responder = loop.person("dispatcher", town), loop.person("responder", town)
    leader = loop.person("leader", town)
    with clock.backdated(start):
        case = make_case(loop, town=town, code=code)
    with clock.backdated(start + timedelta(minutes=1)):
        services.case_dispatch(actor=dispatcher, case=case, people=[responder])
    with clock.backdated(start + timedelta(minutes=2)):
        services.assignment_accept(actor=responder, case=fresh(case))
    with clock.backdated(start + timedelta(minutes=arrive_after)):
        lat, lng = POINT[town]
        services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    with clock.backdated(start + timedelta(minutes=40)):
        services.assignment_resolve(actor=responder, case=fresh(case), note="已处理")
    with clock.backdated(start + timedelta(minutes=60)):
        services.case_verify(actor=leader, case=fresh(case))
        services.case_close(actor=leader, case=fresh(case))
    if callback is not None:
        with clock.backdated(start + timedelta(minutes=120)):
            services.callback_record(actor=leader, case=fresh(case), result=callback)
    return fresh(case)


def build_history(loop: Loop) -> History:
    walk(loop, DAY1 + timedelta(hours=10), arrive_after=5)
    walk(
        loop,
        DAY1 + timedelta(hours=23, minutes=10),
        arrive_after=12,
        callback=CallbackResult.UNSATISFIED,
    )
    dispatcher_a, dispatcher_b = loop.person("dispatcher", "a"), loop.person("dispatcher", "b")
    with clock.backdated(DAY1 + timedelta(hours=25)):
        services.case_cancel(actor=dispatcher_a, case=make_case(loop), reason="误报")
        first, again = make_case(loop), make_case(loop)
        services.case_merge(actor=dispatcher_a, case=again, into=first)
    with clock.backdated(DAY1 + timedelta(hours=26)):
        noise = make_case(loop, town="b", code="noise", description="夜间装修噪音")
        services.case_divert(actor=dispatcher_b, case=noise)
    walk(loop, DAY1 + timedelta(hours=30), town="b", code="noise", arrive_after=6)
    return History(loop=loop, first=DAY1.date(), last=DAY1.date() + timedelta(days=1))
