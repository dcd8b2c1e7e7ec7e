"""What operators read: failed sign-ins by account id (never the email), channel failures per message id
(addresses masked), and idle scheduler ticks kept out of INFO."""

from __future__ import annotations

import logging

from hearth import logs
from hearth.notify.rounds import reason
from tests.factories import make_user


def test_failed_sign_ins_and_the_lockout_are_logged_by_account_id(client, caplog):
    user = make_user(email="locked.person@example.test")
    from hearth import db

    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="hearth.auth"):
        for _ in range(5):
            client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-password"})
    lines = [r.getMessage() for r in caplog.records if r.name == "hearth.auth"]
    assert any(f"failed sign-in for account {user.id} (1 in a row)" in line for line in lines), lines
    assert any(f"account {user.id} locked until" in line for line in lines), lines
    assert not any("locked.person" in line for line in lines)


def test_unknown_addresses_are_logged_by_a_hash(client, caplog):
    with caplog.at_level(logging.WARNING, logger="hearth.auth"):
        client.post("/api/v1/auth/token", json={"email": "nobody.here@example.test", "password": "wrong-password"})
    lines = [r.getMessage() for r in caplog.records if r.name == "hearth.auth"]
    assert any("failed sign-in for unknown address" in line for line in lines), lines
    assert not any("nobody.here" in line for line in lines)


def test_provider_errors_are_logged_with_addresses_masked():
    assert reason("smtp: SMTPRecipientsRefused: {'maria@example.com': (550, b'no')}") == (
        "smtp: SMTPRecipientsRefused: {'[address]': (550, b'no')}")
    assert reason("sms: 21211 The To number +1 555-010-0123 is not valid") == (
        "sms: 21211 The To number [address] is not valid")


def test_idle_dispatch_ticks_are_debug():
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1,
                               "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
                               ({"name": "hearth.jobs.tasks.dispatch_due", "id": "x", "runtime": 0.01,
                                 "return_value": {}},), None)
    logs.QuietTicks("hearth.jobs.tasks.dispatch_due").filter(record)
    assert record.levelno == logging.DEBUG
    other = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, "Task other[1] succeeded", None, None)
    logs.QuietTicks("hearth.jobs.tasks.dispatch_due").filter(other)
    assert other.levelno == logging.INFO
