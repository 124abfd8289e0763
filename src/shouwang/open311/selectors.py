"""What Open311 may read. GeoReport v2 reads are anonymous, so there is no acting user to scope
by; the scope is the public one, stated once in `public_requests_q`:

- the service list is the active categories marked public (对群众开放);
- a request is a case in a public category, not marked confidential, that came in through a
  public reporting channel (Open311, the web form, the phone page). 110 calls, 12345 items,
  device alarms, inspections and patrol findings are the command centre's records, not public
  reports, and are never listed, even in a public category.
"""

from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shouwang.cases.models import Case, CaseChannel, CaseState, Category, TimelineEvent
from shouwang.cases.selectors import categories_list
from shouwang.core.errors import NotFound
from shouwang.open311.errors import BadRequest

PUBLIC_CHANNELS = (CaseChannel.OPEN311, CaseChannel.WEB, CaseChannel.APP)
# "closed: it has been resolved" (GeoReport v2). Our resolved and verified cases are done from
# the reporter's point of view; a rejected verification opens them again.
CLOSED_STATES = frozenset(
    {
        CaseState.RESOLVED,
        CaseState.VERIFIED,
        CaseState.CLOSED,
        CaseState.CANCELLED,
        CaseState.MERGED,
    }
)
OPEN_STATES = frozenset(CaseState) - CLOSED_STATES
STATUSES = {"open": OPEN_STATES, "closed": CLOSED_STATES}
# GeoReport v2, "Response Volume": a span of 90 days or the first 1000 requests.
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000


def request_status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def services_list() -> list[Category]:
    return list(categories_list(public_only=True))


def service_get(*, code: str) -> Category:
    category = categories_list(public_only=True).filter(code=code).first()
    if category is None:
        raise NotFound(f"service_code {code} was not found.")
    return category


def public_requests_q() -> Q:
    """Requests anyone may read. Police matters (a fight, domestic violence) may be reported
    through Open311 but are never listed: a public feed of where they happened endangers the
    people involved."""
    return Q(
        category__is_public=True,
        category__is_police=False,
        confidential=False,
        channel__in=PUBLIC_CHANNELS,
    )


def readable_requests_q() -> Q:
    """Requests that answer when asked for by id or token: the public ones, and every request
    filed through Open311, so that the client that filed it can read it back (GeoReport v2).
    One that is not public (a police matter, a confidential one) is shown restricted:
    documents.service_request keeps only its id, service code, status, dates and agency."""
    return public_requests_q() | Q(channel=CaseChannel.OPEN311)


def request_is_restricted(case: Case) -> bool:
    return not (case.category.is_public and not case.category.is_police and not case.confidential)


def _public_requests(q: Q | None = None) -> QuerySet[Case]:
    last_event = TimelineEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    return (
        Case.objects.filter(q if q is not None else public_requests_q())
        .select_related("category", "node", "responsible_unit", "open311_request")
        .annotate(last_event_at=Subquery(last_event.values("at")[:1]))
    )


def requests_list(
    *,
    ids: list[int] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> list[Case]:
    """Public requests, newest first, at most MAX_REQUESTS. `ids` overrides every other filter
    (GeoReport v2). Without dates the window is the last 90 days; with one date it is the 90
    days after `start` or before `end`; a window longer than 90 days is BadRequest."""
    cases = _public_requests()
    if ids is not None:
        return list(cases.filter(pk__in=ids).order_by("-received_at", "-id")[:MAX_REQUESTS])
    start, end = _window(start, end)
    cases = cases.filter(received_at__gte=start, received_at__lte=end)
    if service_codes:
        cases = cases.filter(category__code__in=service_codes)
    if statuses:
        states = set().union(*(STATUSES[s] for s in statuses))
        cases = cases.filter(state__in=states)
    return list(cases.order_by("-received_at", "-id")[:MAX_REQUESTS])


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        return end - MAX_SPAN, end
    if end is None:
        return start, start + MAX_SPAN
    if end < start:
        raise BadRequest("end_date is before start_date.")
    if end - start > MAX_SPAN:
        raise BadRequest("start_date and end_date may not span more than 90 days.")
    return start, end


def request_get(*, request_id: int) -> Case:
    case = _public_requests(readable_requests_q()).filter(pk=request_id).first()
    if case is None:
        raise NotFound(f"service_request_id {request_id} was not found.")
    return case


def request_by_token(*, token: str) -> Case:
    readable = _public_requests(readable_requests_q())
    case = readable.filter(external_token=token).first() if token else None
    if case is None:
        raise NotFound(f"token {token} was not found.")
    return case
