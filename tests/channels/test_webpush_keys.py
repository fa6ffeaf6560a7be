"""VAPID keys, subscription validation and the size-limited notice payload."""

from __future__ import annotations

import json
import unicodedata
from datetime import timedelta

import pytest

from channels.base import PayloadInvalid
from channels.webpush import (
    PLAINTEXT_BUDGET,
    PushNotice,
    VapidKeys,
    VapidSigner,
    encode_notice,
    parse_subscription,
)
from channels.webpush.keys import b64url_decode
from tests.channels.webpush_support import KEYS, SUBJECT

P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
AUTH = "tBHItJI5svbpez7KI4CCXg"


def subscription_json(
    endpoint: str = "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b", **keys: str
) -> str:
    return json.dumps(
        {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": P256DH, "auth": AUTH, **keys},
        }
    )


def test_application_server_key_is_the_uncompressed_point() -> None:
    raw = b64url_decode(KEYS.application_server_key())
    assert len(raw) == 65 and raw[0] == 4
    assert "=" not in KEYS.application_server_key()


@pytest.mark.parametrize("form", ["private_pem", "private_base64url"])
def test_private_key_round_trips(form: str) -> None:
    loaded = VapidKeys.load(getattr(KEYS, form)())
    assert loaded.application_server_key() == KEYS.application_server_key()


@pytest.mark.parametrize(
    "value",
    ["", "not base64 !!", "AAAA", "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----"],
)
def test_bad_private_keys_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        VapidKeys.load(value)


def test_signer_refuses_bad_subjects_and_lifetimes() -> None:
    with pytest.raises(ValueError, match="subject"):
        VapidSigner(KEYS, "ops@tiengdan.example.vn")
    with pytest.raises(ValueError, match="lifetime"):
        VapidSigner(KEYS, SUBJECT, lifetime=timedelta(hours=25))


def test_browser_subscription_json_is_accepted() -> None:
    subscription = parse_subscription(subscription_json())
    assert subscription.endpoint.startswith("https://fcm.googleapis.com/")
    assert subscription.keys.auth == AUTH and subscription.expiration_time is None
    assert parse_subscription(
        subscription_json("https://wns2-par02p.notify.windows.com/w/?token=x")
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("{", "not a push subscription"),
        ('{"endpoint": "https://fcm.googleapis.com/x"}', "not a push subscription"),
        (subscription_json("http://fcm.googleapis.com/x"), "https"),
        (subscription_json("https://169.254.169.254/latest/meta-data"), "not a known push service"),
        (
            subscription_json("https://fcm.googleapis.com.evil.example/x"),
            "not a known push service",
        ),
        (subscription_json(p256dh="BAAA"), "bad subscription keys"),
        (subscription_json(p256dh="BP" + "A" * 85), "bad subscription keys"),
        (subscription_json(auth="AAAA"), "16 bytes"),
    ],
)
def test_bad_subscriptions_are_refused(data: str, reason: str) -> None:
    with pytest.raises(PayloadInvalid, match=reason):
        parse_subscription(data)


def test_small_notice_is_plain_utf8_json() -> None:
    encoded = encode_notice(PushNotice(title="Nhắc lịch", body="Họp tổ dân phố 19h", url="/r/1"))
    assert json.loads(encoded) == {
        "title": "Nhắc lịch",
        "body": "Họp tổ dân phố 19h",
        "url": "/r/1",
    }
    assert "Nhắc".encode() in encoded  # not \\u escapes, which triple the size


def test_long_vietnamese_body_is_cut_to_the_budget() -> None:
    body = "Thông báo lịch tiêm chủng mở rộng cho trẻ em dưới 5 tuổi tại trạm y tế xã. " * 80
    encoded = encode_notice(PushNotice(title="Y tế", body=body, url="/cases/7", tag="PA-1"))
    assert len(encoded) <= PLAINTEXT_BUDGET
    decoded = json.loads(encoded)
    assert decoded["body"].endswith("…") and body.startswith(decoded["body"][:-1].rstrip())
    assert (decoded["title"], decoded["url"], decoded["tag"]) == ("Y tế", "/cases/7", "PA-1")


def test_cut_never_leaves_a_dangling_tone_mark() -> None:
    decomposed = unicodedata.normalize("NFD", "ệ") * 4000  # NFD input is normalised first
    decoded = json.loads(encode_notice(PushNotice(title="x", body=decomposed), budget=500))
    assert unicodedata.is_normalized("NFC", decoded["body"])
    assert set(decoded["body"][:-1]) == {"ệ"}


def test_title_is_cut_when_the_body_alone_is_not_enough() -> None:
    decoded = json.loads(encode_notice(PushNotice(title="T" * 5000, body="b" * 100), budget=300))
    assert "body" not in decoded and decoded["title"].endswith("…")  # empty fields are omitted


def test_a_notice_that_cannot_fit_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        encode_notice(PushNotice(title="x", url="/" + "u" * 4000))
