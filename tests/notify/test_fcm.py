"""Push through the real firebase-admin SDK against the local FCM fake."""

from __future__ import annotations

import warnings
from datetime import timedelta

import firebase_admin
from firebase_admin import messaging
from google.auth import credentials as google_credentials
from google.auth.exceptions import TransportError

from hearth import notify
from hearth.clock import utcnow
from hearth.models import AttemptOutcome, NotificationStatus
from hearth.notify.channels.fcm import FcmChannel, Push, chunks
from hearth.notify.dispatcher import claim_due, dispatch, process
from hearth.notify.templates import TEMPLATES
from tests.factories import make_patient, make_user
from tests.notify.conftest import attempts_of, make_device, reload

HEALTH_WORDS = ("diagnos", "result:", "positive", "negative", "prescri", "lab ", "hiv", "pregnan", "cancer")


def _push_user(channels="push,email"):
    patient = make_patient(preferred_channels=channels)
    return patient, patient.user


def _enqueue(user, key="message:42", template="new_message", kind="message", **kw):
    return notify.enqueue(key=key, kind=kind, template=template, user=user, **kw)


def test_one_push_per_active_device_without_health_details(fake_fcm, make_channels):
    patient, user = _push_user()
    phone = make_device(user=user, token="phone-token")
    tablet = make_device(user=user, token="tablet-token", platform="ios")
    make_device(user=user, token="old-token", disabled_at=utcnow(), disabled_reason="unregistered")
    row = _enqueue(user, patient=patient, params={"ref": "msg-9f2"})
    assert dispatch(make_channels(fake_fcm.settings), "w1").sent == 1
    assert sorted(fake_fcm.tokens()) == ["phone-token", "tablet-token"]
    for message in fake_fcm.messages:
        assert message["notification"] == {
            "title": "New message from your care team",
            "body": "You have a new message from your care team. Open Hearth to read it.",
        }
        assert message["data"] == {"notification_id": str(row.id), "kind": "message", "ref": "msg-9f2"}
        assert not any(word in str(message).lower() for word in HEALTH_WORDS)
    row = reload(row)
    assert row.status == NotificationStatus.SENT
    attempts = attempts_of(row)
    assert [a.outcome for a in attempts] == [AttemptOutcome.SENT] * 2
    assert {a.provider_message_id.rsplit("/", 1)[0] for a in attempts} == {"projects/hearth-test/messages"}
    assert phone.disabled_at is None and tablet.disabled_at is None


def test_push_is_in_the_recipients_language(fake_fcm, make_channels):
    user = make_user(locale="es")
    make_device(user=user, token="es-token")
    notify.enqueue(key="bill:1", kind="bill", template="bill_ready", user=user)
    from tests.notify.test_outbox import _pref

    _pref(user, "bill", "push")
    notify.enqueue(key="bill:2", kind="bill", template="bill_ready", user=user)
    dispatch(make_channels(fake_fcm.settings), "w1")
    # bill:1 was queued while the person wanted email; it is sent after she chose push, so it follows her.
    assert [m["notification"]["title"] for m in fake_fcm.messages] == ["Nuevo estado de cuenta"] * 2


def test_unregistered_token_disables_the_device_and_others_still_get_it(fake_fcm, make_channels):
    _, user = _push_user()
    dead = make_device(user=user, token="dead-token")
    alive = make_device(user=user, token="alive-token")
    fake_fcm.behave("dead-token", "unregistered")
    row = _enqueue(user)
    dispatch(make_channels(fake_fcm.settings), "w1")
    assert reload(row).status == NotificationStatus.SENT
    assert fake_fcm.tokens() == ["alive-token"]
    assert reload(dead).disabled_at is not None and dead.disabled_reason == "unregistered"
    assert reload(alive).disabled_at is None
    by_outcome = sorted(a.outcome for a in attempts_of(row))
    assert by_outcome == sorted([AttemptOutcome.SENT, AttemptOutcome.PERMANENT])


def test_all_tokens_dead_falls_back_to_email(fake_fcm, smtp_server, make_channels):
    _, user = _push_user()
    only = make_device(user=user, token="gone-token")
    fake_fcm.behave("gone-token", "unregistered")
    row = _enqueue(user)
    channels = make_channels(fake_fcm.settings, smtp_server.settings)
    summary = dispatch(channels, "w1")
    assert (summary.fell_back, summary.sent) == (1, 1)
    row = reload(row)
    assert row.status == NotificationStatus.SENT and row.channel == "email"
    assert reload(only).disabled_reason == "unregistered"
    assert len(smtp_server.to(user.email)) == 1
    # The device is off now: the next push goes straight to email without calling FCM.
    requests_before = len(fake_fcm.requests)
    _enqueue(user, key="message:43")
    dispatch(channels, "w1")
    assert len(fake_fcm.requests) == requests_before
    assert len(smtp_server.to(user.email)) == 2


def test_invalid_argument_is_a_bad_message_not_a_dead_device(fake_fcm, smtp_server, make_channels):
    _, user = _push_user()
    device = make_device(user=user, token="fine-token")
    fake_fcm.behave("fine-token", "invalid", "ok")
    row = _enqueue(user)
    channels = make_channels(fake_fcm.settings, smtp_server.settings)
    assert dispatch(channels, "w1").fell_back == 1
    assert reload(row).status == NotificationStatus.SENT and row.channel == "email"
    assert "InvalidArgumentError" in attempts_of(row)[0].error
    assert reload(device).disabled_at is None and device.disabled_reason is None
    # The device still gets the next notification.
    _enqueue(user, key="message:44")
    dispatch(channels, "w1")
    assert fake_fcm.tokens() == ["fine-token"]


def test_push_carries_a_stable_collapse_key(fake_fcm, make_channels):
    _, user = _push_user(channels="push")
    make_device(user=user, token="ios-token", platform="ios")
    row = _enqueue(user)
    dispatch(make_channels(fake_fcm.settings), "w1")
    [message] = fake_fcm.messages
    assert message["android"]["collapse_key"] == f"hearth-{row.id}"
    assert message["apns"]["headers"]["apns-collapse-id"] == f"hearth-{row.id}"
    assert message["data"]["notification_id"] == str(row.id)


def test_no_device_at_all_falls_back(fake_fcm, smtp_server, make_channels):
    _, user = _push_user()
    row = _enqueue(user)
    dispatch(make_channels(fake_fcm.settings, smtp_server.settings), "w1")
    assert reload(row).channel == "email" and row.status == NotificationStatus.SENT
    assert attempts_of(row)[0].error == "no active device"


def test_quota_exceeded_is_retried_after_retry_after(fake_fcm, make_channels):
    _, user = _push_user(channels="push")
    make_device(user=user, token="busy-token")
    fake_fcm.behave("busy-token", "quota", "ok")
    row = _enqueue(user)
    channels = make_channels(fake_fcm.settings)
    before = utcnow()
    assert dispatch(channels, "w1").retrying == 1
    row = reload(row)
    assert row.status == NotificationStatus.PENDING and "QuotaExceededError" in row.last_error
    assert row.next_attempt_at >= before + timedelta(
        seconds=120
    )  # the fake's Retry-After, above the 30 s backoff
    assert claim_due(10, "w1", now=before + timedelta(seconds=60)) == []
    process(claim_due(10, "w1", now=before + timedelta(seconds=121)), channels, "w1")
    assert reload(row).status == NotificationStatus.SENT
    assert fake_fcm.tokens() == ["busy-token"]


def test_unavailable_is_retried_by_the_sdk_then_by_the_outbox(fake_fcm, make_channels):
    _, user = _push_user(channels="push")
    make_device(user=user, token="flaky-token")
    make_device(user=user, token="down-token")
    fake_fcm.behave("flaky-token", "unavailable", "ok")  # the SDK's own retry gets it through
    row = _enqueue(user)
    other = _push_user(channels="push")[1]
    make_device(user=other, token="down-only")
    fake_fcm.behave("down-only", "unavailable")
    fake_fcm.behave("down-token", "internal")
    down_row = _enqueue(other, key="message:down")
    dispatch(make_channels(fake_fcm.settings), "w1")
    assert reload(row).status == NotificationStatus.SENT
    down_row = reload(down_row)
    assert down_row.status == NotificationStatus.PENDING and "UnavailableError" in down_row.last_error
    assert down_row.next_attempt_at is not None
    down_requests = [r for r in fake_fcm.requests if r["body"]["message"]["token"] == "down-only"]
    assert len(down_requests) == 5  # first try + the SDK's 4 status retries, with zero backoff in tests


def test_credential_failure_is_transient(fake_fcm):
    class BrokenCredentials(google_credentials.Credentials):
        """A credential whose token refresh cannot reach Google (what an outage or bad clock looks like)."""

        def refresh(self, request):
            raise TransportError("cannot reach oauth2.googleapis.com")

    channel = FcmChannel("hearth-test", BrokenCredentials(), retry=fake_fcm.settings["FCM_RETRY"])
    try:
        [result] = channel.send([Push("t1", "Title", "Body")])
    finally:
        channel.close()
    assert result.outcome == AttemptOutcome.TRANSIENT and "TransportError" in result.error
    assert fake_fcm.requests == []


def test_send_each_is_called_in_chunks_of_500(fake_fcm, make_channels):
    channel = make_channels(fake_fcm.settings).push
    before = len(channel.batch_sizes)
    results = channel.send([Push(f"t{i}", "Title", "Body") for i in range(501)])
    assert channel.batch_sizes[before:] == [500, 1]
    assert len(results) == 501 and all(r.outcome == AttemptOutcome.SENT for r in results)
    assert len(fake_fcm.messages) == 501
    assert [len(c) for c in chunks(list(range(1001)))] == [500, 500, 1]


def test_fake_accepts_token_and_fid(fake_fcm):
    app = firebase_admin.initialize_app(fake_fcm.settings["FCM_CREDENTIAL"], {"projectId": "p1"}, name="fid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            names = [messaging.send(messaging.Message(**{key: "abc"}), app=app) for key in ("token", "fid")]
    finally:
        firebase_admin.delete_app(app)
    assert all(name.startswith("projects/p1/messages/") for name in names)
    assert [m.get("token") or m.get("fid") for m in fake_fcm.messages] == ["abc", "abc"]
    assert "token" in fake_fcm.messages[0] and "fid" in fake_fcm.messages[1]


def test_every_template_is_free_of_health_details():
    for key, template in TEMPLATES.items():
        for texts in (template.texts, template.detailed or {}):
            for locale, text in texts.items():
                words = f"{text.subject} {text.title} {text.body}".lower()
                assert not any(word in words for word in HEALTH_WORDS), (key, locale)


def test_push_is_built_from_settings_and_off_without_them(fake_fcm):
    from hearth.notify.channels import build_channels

    channels = build_channels(fake_fcm.settings)
    try:
        assert isinstance(channels.push, FcmChannel)
        assert channels.push.app.project_id == "hearth-test"
    finally:
        channels.close()
    assert build_channels({"FCM_PROJECT_ID": "hearth-test"}).push is None  # no credential: off
    assert (
        build_channels({"FCM_PROJECT_ID": "p", "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"}).push
        is None
    )
