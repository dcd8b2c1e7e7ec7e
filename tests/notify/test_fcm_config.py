"""FCM's endpoint and OAuth token endpoint come from settings (an emulator, a staging fake), and a worker
fetches one access token for a whole batch instead of one per message."""

from __future__ import annotations

from firebase_admin import messaging

from hearth.notify.channels.fcm import FcmChannel, Push
from tests.fakes.fcm import FakeFcm
from tests.fakes.fixtures import ZERO_BACKOFF_RETRY
from tests.fakes.oauth import FakeOAuth, service_account_file


def test_settings_point_push_at_another_endpoint_with_one_token_per_batch(tmp_path):
    fcm, oauth = FakeFcm().start(), FakeOAuth().start()
    key_file = service_account_file(tmp_path / "sa.json", token_uri="https://oauth2.googleapis.com/token")
    channel = FcmChannel.from_settings({
        "FCM_PROJECT_ID": "hearth-test", "GOOGLE_APPLICATION_CREDENTIALS": key_file,
        "FCM_TOKEN_URI": oauth.token_uri, "FCM_API_BASE": fcm.base_url, "FCM_RETRY": ZERO_BACKOFF_RETRY,
    })
    try:
        assert channel is not None
        pushes = [Push(token=f"t{i}", title="Hi", body="Open Hearth") for i in range(40)]
        first = channel.send(pushes)
        second = channel.send(pushes[:10])
    finally:
        if channel is not None:
            channel.close()
        fcm.stop()
        oauth.stop()
    assert all(r.outcome == "sent" for r in first + second), [r.error for r in first + second if r.error]
    assert len(fcm.messages) == 50
    assert oauth.requests == 1  # one token for both batches, not one per message of the first
    assert messaging._MessagingService.FCM_URL.startswith("https://fcm.googleapis.com/")  # untouched


def test_without_an_endpoint_setting_push_goes_to_google(tmp_path):
    key_file = service_account_file(tmp_path / "sa.json", token_uri="http://127.0.0.1:9/token")
    channel = FcmChannel.from_settings({"FCM_PROJECT_ID": "p1", "GOOGLE_APPLICATION_CREDENTIALS": key_file})
    try:
        service = messaging._get_messaging_service(channel.app)
        assert service._fcm_url == "https://fcm.googleapis.com/v1/projects/p1/messages:send"
    finally:
        channel.close()
