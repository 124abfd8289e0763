"""Administrators sign in with a second factor: a TOTP code (RFC 6238) or a recovery code."""

import time

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouwang.core.models import AuditAction, AuditEntry, RecoveryCode
from shouwang.core.services.second_factor import second_factor_enrol
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def token(username: str, otp: str | None = None) -> object:
    body = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return Client().post("/api/v1/auth/token", body, content_type="application/json")


def test_otp_enrol_prints_the_otpauth_uri_last_and_ten_recovery_codes(
    city: City, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("otp_enrol", "admin_city")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("otpauth://totp/")
    assert "secret=" in lines[-1] and "issuer=Shouwang" in lines[-1]
    assert RecoveryCode.objects.filter(user=city.admin).count() == 10
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_ENROLLED).exists()


def test_recovery_codes_are_stored_hashed_and_work_once(city: City) -> None:
    codes = second_factor_enrol(user=city.admin, actor=None).recovery_codes
    assert len(set(codes)) == 10
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert not stored & set(codes)
    assert token("admin_city", codes[0]).status_code == 200  # type: ignore[attr-defined]
    assert token("admin_city", codes[0]).status_code == 401  # type: ignore[attr-defined]


def test_an_admin_without_a_valid_otp_gets_401_otp_required(city: City) -> None:
    second_factor_enrol(user=city.admin, actor=None)
    for otp in (None, "", "000000"):
        response = token("admin_city", otp)
        assert response.status_code == 401  # type: ignore[attr-defined]
        assert response.json()["error"]["code"] == "otp_required"  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action=AuditAction.SECOND_FACTOR_FAILED).count() == 3


def test_wrong_codes_make_the_next_try_wait(city: City) -> None:
    second_factor_enrol(user=city.admin, actor=None)
    device = TOTPDevice.objects.get(user=city.admin)
    token("admin_city", "000000")
    assert token("admin_city", current_code(device)).status_code == 401  # type: ignore[attr-defined]


def test_an_admin_with_the_current_code_gets_a_token(city: City) -> None:
    second_factor_enrol(user=city.admin, actor=None)
    device = TOTPDevice.objects.get(user=city.admin)
    assert token("admin_city", current_code(device)).status_code == 200  # type: ignore[attr-defined]


def test_a_dispatcher_needs_no_second_factor(city: City) -> None:
    assert token("dispatcher_1").status_code == 200  # type: ignore[attr-defined]


@override_settings(SHOUWANG_OTP_FOR_LEADERS=True)
def test_leaders_need_one_when_the_setting_says_so(city: City) -> None:
    response = token("leader_1")
    assert response.json()["error"]["code"] == "otp_required"  # type: ignore[attr-defined]


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # no growing wait after the wrong code here
def test_the_admin_signs_in_on_the_page_with_password_then_code(city: City) -> None:
    second_factor_enrol(user=city.admin, actor=None)
    device = TOTPDevice.objects.get(user=city.admin)
    browser = Client()
    response = browser.post("/login/", {"username": "admin_city", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/login/second-factor/"
    assert browser.get("/admin/").status_code == 302  # not signed in yet
    assert browser.post("/login/second-factor/", {"code": "123456"}).status_code == 200
    response = browser.post("/login/second-factor/", {"code": current_code(device)})
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_the_admin_site_sends_its_sign_in_to_the_staff_page(city: City) -> None:
    response = Client().get("/admin/login/?next=/admin/core/user/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_an_admin_without_a_device_enrols_with_a_qr_code_on_first_sign_in(city: City) -> None:
    browser = Client()
    browser.post("/login/", {"username": "admin_city", "password": PASSWORD})
    page = browser.get("/login/second-factor/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=city.admin, confirmed=False)
    response = browser.post("/login/second-factor/", {"code": current_code(device)})
    assert response.status_code == 200
    assert response.content.decode().count("<li><code>") == 10
    device.refresh_from_db()
    assert device.confirmed
    assert browser.get("/admin/").status_code == 200


def test_the_password_step_expires(city: City) -> None:
    browser = Client()
    browser.post("/login/", {"username": "admin_city", "password": PASSWORD})
    session = browser.session
    pending = session["shouwang_signin_pending"]
    pending["at"] = time.time() - 3600
    session["shouwang_signin_pending"] = pending
    session.save()
    assert browser.get("/login/second-factor/")["Location"] == "/login/"
