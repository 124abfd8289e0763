"""Hostile text in every field the screens show runs no script and breaks no page, and no page
trips the Content-Security-Policy. A responder's name, a unit's, a town's, a category's, a case's
description, address, resolution note and room message are all markup; the dispatcher, the
leader and the responder open every main screen and hover the map points. Any dialog, any
element carrying an on* attribute, any `securitypolicyviolation` event fails the walk."""

from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

import pytest
from django.db import connections

from shouwang.cases import services
from shouwang.cases.models import Case, Category
from shouwang.cases.services.room import room_message_post
from shouwang.cases.tests.factories import POINT, Loop, equip, fresh, make_case
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.services.second_factor import second_factor_enrol
from shouwang.testing.browser import DESKTOP, PHONE
from shouwang.testing.city import PASSWORD, City

T = TypeVar("T")
WAIT_MS = 15_000  # a bound for failing, not a performance target
HOSTILE = "<img src=x onerror=alert(1)><svg onload=alert(2)>"  # fits a 50-character name

# Installed in every page before its own scripts: counts CSP violations.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
# Elements that carry an event-handler attribute: none of ours do, so any is injected.
INJECTED = """
() => [...document.querySelectorAll("*")]
  .filter((el) => [...el.attributes].some((a) => a.name.toLowerCase().startsWith("on")))
  .map((el) => el.outerHTML.slice(0, 120))
"""
# The pixel positions of a chart's scatter points (cases, responders) or map areas.
POINTS = """
(selector) => {
  const el = document.querySelector(selector);
  const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
  if (!chart) return [];
  const box = el.getBoundingClientRect();
  const out = [];
  const option = chart.getOption();
  for (const series of option.series || []) {
    if (series.type === "scatter") {
      for (const d of series.data || []) {
        const [x, y] = chart.convertToPixel({ geoIndex: 0 }, d.value);
        out.push({ x: box.left + x, y: box.top + y });
      }
    }
  }
  if (!out.length) out.push({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
  return out;
}
"""


def db(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return call(*args, **kwargs)
    finally:
        connections.close_all()


@pytest.fixture
def loop(city: City, flushable_db: None) -> Loop:
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    return equip(city)


def hostile_city(loop: Loop) -> tuple[Case, Case]:
    """Markup in every field a screen shows, then two cases: one on scene, one resolved."""
    a = loop.city.a
    User.objects.filter(pk__in=[p.pk for p in a.people.values()]).update(full_name=HOSTILE)
    Unit.objects.filter(pk=a.station.pk).update(name=HOSTILE)
    Unit.objects.filter(pk__in=[u.pk for u in loop.town_command.values()]).update(name=HOSTILE)
    JurisdictionNode.objects.filter(pk__in=[a.village.pk, a.grids[0].pk]).update(name=HOSTILE)
    Category.objects.filter(code="fight").update(name=HOSTILE)
    dispatcher, responder = loop.person("dispatcher"), loop.person("responder")
    lat, lng = POINT["a"]
    services.responder_position_report(actor=responder, lat=lat, lng=lng + 0.002)
    working = make_case(loop, description=HOSTILE, address=HOSTILE)
    services.case_dispatch(actor=dispatcher, case=working, people=[responder])
    services.assignment_accept(actor=responder, case=fresh(working))
    services.assignment_arrive(actor=responder, case=fresh(working), lat=lat, lng=lng)
    room_message_post(actor=responder, case=fresh(working), text=HOSTILE)
    done = make_case(loop, description=HOSTILE, address=HOSTILE, point=(lat + 0.004, lng))
    services.case_dispatch(actor=dispatcher, case=done, people=[responder])
    services.assignment_accept(actor=responder, case=fresh(done))
    services.assignment_arrive(actor=responder, case=fresh(done), lat=lat + 0.004, lng=lng)
    services.assignment_resolve(actor=responder, case=fresh(done), note=HOSTILE)
    return fresh(working), fresh(done)


class Walk:
    """One signed-in browser context that remembers every dialog."""

    def __init__(
        self,
        chromium: Any,
        base: str,
        username: str | None,
        viewport: dict[str, int],
        otp: str = "",
    ):
        self.base = base
        self.context = chromium.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(WAIT_MS)
        self.context.add_init_script(WATCH)
        self.dialogs: list[str] = []
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        if username is None:
            return
        self.page.goto(f"{base}/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.press("input[name=password]", "Enter")
        if otp:
            self.page.wait_for_url(f"{base}/login/second-factor/")
            self.page.fill("input[name=code]", otp)
            self.page.press("input[name=code]", "Enter")
        # Home for most roles, the task list (/m/) for field workers.
        self.page.wait_for_url(lambda url: url in {f"{base}/", f"{base}/m/"})

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str, charts: tuple[str, ...] = ()) -> None:
        page = self.page
        page.goto(f"{self.base}{path}")
        page.wait_for_load_state("networkidle")
        for selector in charts:
            page.wait_for_function(
                "(s) => window.echarts && document.querySelector(s) && "
                "window.echarts.getInstanceByDom(document.querySelector(s))",
                arg=selector,
            )
            for point in page.evaluate(POINTS, selector):
                page.mouse.move(point["x"], point["y"])
                page.wait_for_timeout(150)  # the tooltip is drawn on the next frame
        page.wait_for_timeout(300)
        assert self.dialogs == [], (path, self.dialogs)
        assert page.evaluate(INJECTED) == [], path
        assert page.evaluate("window.__csp") == [], path


@pytest.mark.usefixtures("flushable_db")
def test_hostile_text_runs_no_script_on_any_screen_and_no_page_breaks_the_csp(
    loop: Loop, live_server_url: str, chromium: Any
) -> None:
    working, done = db(hostile_city, loop)
    base = live_server_url

    dispatcher = Walk(chromium, base, loop.person("dispatcher").username, DESKTOP)
    dispatcher.visit("/console/", charts=("#map",))
    dispatcher.visit(f"/console/cases/{working.pk}/")
    dispatcher.visit(f"/console/cases/{done.pk}/")
    dispatcher.visit("/console/new/")
    dispatcher.visit("/screen/", charts=("#map",))
    dispatcher.visit(f"/jurisdiction/{loop.city.a.node.code}/", charts=("#map",))
    dispatcher.context.close()

    leader = Walk(chromium, base, loop.person("leader").username, DESKTOP)
    leader.visit("/supervise/verify/")
    leader.visit(f"/supervise/verify/{done.pk}/")
    leader.visit("/supervise/callbacks/")
    leader.visit("/kpi/", charts=("#chart-map",))
    leader.context.close()

    responder = Walk(chromium, base, loop.person("responder").username, PHONE)
    responder.visit("/m/")
    responder.visit(f"/m/cases/{working.pk}/")
    responder.context.close()


@pytest.mark.usefixtures("flushable_db")
def test_the_admin_and_the_api_docs_keep_the_csp(
    loop: Loop, live_server_url: str, chromium: Any
) -> None:
    base = live_server_url
    walk = Walk(chromium, base, loop.person("dispatcher").username, DESKTOP)
    walk.visit("/api/docs")
    walk.page.wait_for_selector(".swagger-ui .opblock")
    assert walk.page.evaluate("window.__csp") == []
    header = walk.page.goto(f"{base}/console/").headers["content-security-policy"]  # type: ignore[union-attr]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert "script-src 'self'" in header
    walk.context.close()

    otp = db(second_factor_enrol, user=loop.city.admin, actor=None).recovery_codes[0]
    admin = Walk(chromium, base, loop.city.admin.username, DESKTOP, otp=otp)
    admin.visit("/admin/")
    admin.visit("/admin/core/user/")
    admin.visit(f"/admin/core/user/{loop.person('dispatcher').pk}/change/")
    admin.visit("/admin/core/auditentry/")
    admin.visit("/notify/dead-letters/")
    admin.context.close()

    citizen = Walk(chromium, base, None, PHONE)
    citizen.visit("/login/")
    citizen.visit("/report/")
    citizen.visit("/track/")
    citizen.context.close()
