"""Sessions: idle and absolute timeouts, revocation, why a session ended; TOTP codes used once."""

from datetime import timedelta

import pyotp
import pytest

from hearth.clock import utcnow
from hearth.errors import Locked, Unauthorized
from hearth.models import SessionKind
from hearth.services import auth, sessions, two_factor
from tests.factories import PASSWORD, make_user

POLICY = sessions.SessionPolicy(idle=timedelta(minutes=15), absolute=timedelta(hours=12))
LOGIN = auth.LoginPolicy(max_failures=3, lockout=timedelta(minutes=10))


def _web(user):
    sid, row = sessions.start_web_session(user, POLICY)
    return sid, row


def test_a_fresh_session_resolves_and_is_touched_at_most_once_a_minute(db_session):
    sid, row = _web(make_user())
    seen = utcnow() - timedelta(seconds=30)
    row.last_seen_at = seen
    assert sessions.resolve_web_session(sid, POLICY) is row
    assert row.last_seen_at == seen  # not rewritten within TOUCH_EVERY
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    sessions.resolve_web_session(sid, POLICY)
    assert utcnow() - row.last_seen_at < timedelta(seconds=5)


def test_idle_session_ends_and_says_it_was_idle(db_session):
    sid, row = _web(make_user())
    row.last_seen_at = utcnow() - timedelta(minutes=16)
    assert sessions.resolve_web_session(sid, POLICY) is None
    assert row.revoked_at is not None
    assert auth.session_end_reason(sid, POLICY) == "idle"


def test_session_past_its_absolute_end_is_expired_even_if_active(db_session):
    sid, row = _web(make_user())
    row.expires_at = utcnow() - timedelta(seconds=1)
    assert sessions.resolve_web_session(sid, POLICY) is None
    assert auth.session_end_reason(sid, POLICY) == "expired"


def test_revoked_session_reason_and_unknown_sid(db_session):
    sid, row = _web(make_user())
    sessions.revoke(row)
    assert sessions.resolve_web_session(sid, POLICY) is None
    assert auth.session_end_reason(sid, POLICY) == "revoked"
    assert auth.session_end_reason("no-such-sid", POLICY) is None


def test_revoke_all_keeps_the_current_one_and_list_active_skips_ended(db_session):
    user = make_user()
    _, keep = _web(user)
    _, other = _web(user)
    api = sessions.start_api_session(user, timedelta(days=30), "Pixel")
    ended = sessions.revoke_all(user, except_id=keep.id)
    assert ended == 2
    assert [r.id for r in sessions.list_active(user)] == [keep.id]
    assert other.revoked_at is not None and api.revoked_at is not None and api.kind == SessionKind.API


def test_a_deactivated_user_has_no_live_session(db_session):
    user = make_user()
    sid, _ = _web(user)
    user.is_active = False
    assert sessions.resolve_web_session(sid, POLICY) is None


def test_totp_code_is_accepted_once_and_earlier_steps_are_refused(db_session):
    user = make_user(totp_secret=two_factor.new_secret())
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow().timestamp()
    current, previous = totp.at(now), totp.at(now - 30)
    assert two_factor.verify_code(user, current[:3] + " " + current[3:])
    assert not two_factor.verify_code(user, current)  # replay
    assert not two_factor.verify_code(user, previous)  # an older step after a newer one
    assert two_factor.verify_code(user, totp.at(now + 30))  # next step (clock drift) still fine
    assert not two_factor.verify_code(user, totp.at(now + 120))  # too far ahead
    assert not two_factor.verify_code(user, "abcdef")


def test_provisioning_uri_names_the_issuer_and_the_account():
    uri = two_factor.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ana@example.test")
    assert uri.startswith("otpauth://totp/Hearth:ana%40example.test?")
    assert "issuer=Hearth" in uri and "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri


def test_wrong_codes_count_toward_the_same_lockout_as_wrong_passwords(db_session):
    user = make_user(totp_secret=two_factor.new_secret(), totp_enabled_at=utcnow())
    with pytest.raises(Unauthorized):
        auth.authenticate(user.email, "wrong", None, policy=LOGIN)
    with pytest.raises(Unauthorized) as missing:
        auth.authenticate(user.email, PASSWORD, None, policy=LOGIN)  # no code yet: not a failure
    assert "otp" in missing.value.fields
    assert user.failed_logins == 1
    with pytest.raises(Unauthorized):
        auth.authenticate(user.email, PASSWORD, "000000", policy=LOGIN)
    with pytest.raises(Locked) as locked:
        auth.authenticate(user.email, PASSWORD, "111111", policy=LOGIN)
    assert "Try again in 10 minutes" in str(locked.value.message)
    code = pyotp.TOTP(user.totp_secret).now()
    with pytest.raises(Locked):  # even the right code waits for the lockout to end
        auth.authenticate(user.email, PASSWORD, code, policy=LOGIN)
    user.locked_until = utcnow() - timedelta(seconds=1)
    assert auth.authenticate(user.email, PASSWORD, code, policy=LOGIN) is user
    assert user.failed_logins == 0 and user.locked_until is None and user.last_login_at is not None


def test_password_step_accepts_the_nfkc_form_of_the_password(db_session):
    user = make_user(password="ｋｅｔｔｌｅ ｌａｎｔｅｒｎ ２")  # hashed raw, as an older account would be
    assert auth.authenticate(user.email, "ｋｅｔｔｌｅ ｌａｎｔｅｒｎ ２", None, policy=LOGIN) is user
    other = make_user(password="kettle lantern 2")
    assert auth.authenticate(other.email, "ｋｅｔｔｌｅ ｌａｎｔｅｒｎ ２", None, policy=LOGIN) is other
