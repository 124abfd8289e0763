"""Click-to-call: the console calls a responder and the command room calls the caller through
a `tel:` link from the privacy-number gateway; every reveal behind it is audited, and who may
not see the number gets a refusal, audited too (issue 15, "The call of five-in-sync")."""

from typing import ClassVar

import pytest

from shouwang.cases.tests.factories import Loop, make_case
from shouwang.core.models import AuditAction, AuditEntry, AuditResult
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

CALLER = "0579-85512345"


class PrivacyNumbers:
    """Stands in for an operator's privacy-number API."""

    bound: ClassVar[list[tuple[str, str]]] = []

    def bind(self, *, caller: str, callee: str, idempotency_key: str) -> str:
        self.bound.append((caller, callee))
        return "+8657100000000"


def reveals(result: str) -> int:
    return AuditEntry.objects.filter(action=AuditAction.PII_REVEALED, result=result).count()


def test_the_console_calls_a_responder_and_the_reveal_is_audited(loop: Loop, caplog) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    responder = loop.person("responder")

    with caplog.at_level("INFO", logger="shouwang.core.telephony"):
        response = client.post(f"/api/v1/people/{responder.username}/call")

    assert response.status_code == 200, response.content
    assert response.json() == {"tel": "tel:13800000101"}
    assert reveals(AuditResult.SUCCESS) == 1
    assert "138****0101" in caplog.text and "13800000101" not in caplog.text


def test_the_command_room_calls_the_caller_through_the_privacy_number(loop: Loop, settings) -> None:
    settings.SHOUWANG_PRIVACY_NUMBER_BACKEND = f"{__name__}.PrivacyNumbers"
    PrivacyNumbers.bound.clear()
    case = make_case(loop, caller_phone=CALLER)
    client = ApiClient(loop.person("dispatcher").username)

    response = client.post(f"/api/v1/cases/{case.pk}/call")

    assert response.json() == {"tel": "tel:+8657100000000"}
    assert PrivacyNumbers.bound == [("13800000100", "+8657985512345")]
    entry = AuditEntry.objects.get(action=AuditAction.PII_REVEALED)
    assert entry.detail == {"field": "caller_phone"} and entry.target_id == str(case.pk)


def test_someone_without_the_reveal_permission_is_refused_and_it_is_audited(loop: Loop) -> None:
    case = make_case(loop, caller_phone=CALLER)
    client = ApiClient(loop.person("leader").username)
    volunteer = ApiClient(loop.person("volunteer").username)

    assert client.post(f"/api/v1/cases/{case.pk}/call").status_code == 200
    refused = volunteer.post(f"/api/v1/people/{loop.person('responder').username}/call")

    assert refused.status_code == 403
    assert reveals(AuditResult.DENIED) == 1
