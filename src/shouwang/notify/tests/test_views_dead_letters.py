"""The dead-letters page: the command room of a jurisdiction sees the messages that could not be
delivered there, filters them by channel and day, reads the error and re-sends one."""

from datetime import timedelta
from html import escape

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.core.models import AuditEntry, JurisdictionNode, User
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.services import outbox_enqueue
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def dead_letter(key: str, node: JurisdictionNode | None, **payload: object) -> OutboxMessage:
    """A webhook to an endpoint nobody configured: dead on its first attempt."""
    message = outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient=f"partner-{key}",
        payload={"type": "case.dispatched", **payload},
        idempotency_key=key,
        node=node,
    )
    outbox_deliver_batch()
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    return message


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_town_dispatcher_sees_the_towns_dead_letters_with_their_error(city: City) -> None:
    mine = dead_letter("a-1", city.a.village, case={"number": "SW-A-1"})
    dead_letter("b-1", city.b.node, case={"number": "SW-B-1"})

    response = signed_in(city.a.people["dispatcher"]).get("/notify/dead-letters/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "partner-a-1" in page and "SW-A-1" in page
    assert "partner-b-1" not in page and "SW-B-1" not in page
    assert mine.last_error and escape(mine.last_error) in page
    assert "重新发送" in page


@pytest.mark.parametrize("role", ["leader", "dispatcher"])
def test_leaders_and_dispatchers_open_the_page(city: City, role: str) -> None:
    assert signed_in(city.a.people[role]).get("/notify/dead-letters/").status_code == 200


@pytest.mark.parametrize("role", ["responder", "volunteer", "inspector"])
def test_other_roles_get_403(city: City, role: str) -> None:
    dead_letter("a-1", city.a.node)
    assert signed_in(city.a.people[role]).get("/notify/dead-letters/").status_code == 403


def test_filters_by_channel_and_day(city: City) -> None:
    dead_letter("a-1", city.a.node)
    client = signed_in(city.a.people["leader"])
    today = timezone.localdate()

    def listed(**params: str) -> bool:
        response = client.get("/notify/dead-letters/", params)
        assert response.status_code == 200
        return "partner-a-1" in response.content.decode()

    assert listed(channel="webhook")
    assert not listed(channel="sms")
    assert listed(since=str(today), until=str(today))
    assert not listed(since=str(today + timedelta(days=1)))
    assert not listed(until=str(today - timedelta(days=1)))
    assert listed(recipient="partner-a-1")
    assert not listed(recipient="partner-x")


def test_a_bad_period_is_refused_with_a_clear_message(city: City) -> None:
    client = signed_in(city.a.people["leader"])
    response = client.get("/notify/dead-letters/", {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "开始日期不能晚于结束日期" in response.content.decode()
    response = client.get("/notify/dead-letters/", {"since": "yesterday"})
    assert response.status_code == 400
    assert "请输入有效的开始日期" in response.content.decode()


def test_resend_puts_the_message_back_in_the_queue_and_answers_its_row(city: City) -> None:
    message = dead_letter("a-1", city.a.node)
    dispatcher = city.a.people["dispatcher"]

    response = signed_in(dispatcher).post(
        f"/notify/dead-letters/{message.pk}/resend/", headers=HTMX
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="dead-letter-{message.pk}"' in body and "已重新排队" in body
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.PENDING, 0)
    assert AuditEntry.objects.get(action="outbox_resent").actor == dispatcher


def test_resending_twice_says_why_in_the_row(city: City) -> None:
    message = dead_letter("a-1", city.a.node)
    client = signed_in(city.a.people["dispatcher"])
    client.post(f"/notify/dead-letters/{message.pk}/resend/", headers=HTMX)

    again = client.post(f"/notify/dead-letters/{message.pk}/resend/", headers=HTMX)

    assert again.status_code == 409
    assert "只有发送失败的消息可以重新发送" in again.content.decode()
    assert AuditEntry.objects.filter(action="outbox_resent").count() == 1


def test_resend_without_javascript_redirects_back(city: City) -> None:
    message = dead_letter("a-1", city.a.node)
    response = signed_in(city.a.people["leader"]).post(
        f"/notify/dead-letters/{message.pk}/resend/",
        {"next": "/notify/dead-letters/?channel=webhook"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/notify/dead-letters/?channel=webhook"


def test_a_town_a_dispatcher_gets_404_resending_a_town_b_message(city: City) -> None:
    theirs = dead_letter("b-1", city.b.node)
    response = signed_in(city.a.people["dispatcher"]).post(
        f"/notify/dead-letters/{theirs.pk}/resend/", headers=HTMX
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == OutboxState.DEAD
    assert not AuditEntry.objects.filter(action="outbox_resent").exists()


def test_a_responder_may_not_resend(city: City) -> None:
    message = dead_letter("a-1", city.a.node)
    response = signed_in(city.a.people["responder"]).post(
        f"/notify/dead-letters/{message.pk}/resend/"
    )
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
