"""`flask notify-worker`: send due notifications from the outbox, once or in a loop."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    """Add the `notify-worker` command to `app`'s CLI."""

    @app.cli.command("notify-worker")
    @click.option("--once", is_flag=True, help="Send what is due now, then exit.")
    @click.option("--interval", type=float, default=10.0, show_default=True, help="Seconds between runs.")
    def notify_worker(once: bool, interval: float) -> None:
        """Send due notifications (push, email, SMS) from the outbox."""
        from hearth.notify.worker import run_forever, run_once

        settings = dict(current_app.config)
        if once:
            summary = run_once(settings)
            click.echo(
                f"claimed={summary.claimed} sent={summary.sent} retrying={summary.retrying} "
                f"fell_back={summary.fell_back} failed={summary.failed}"
            )
        else:
            run_forever(settings, interval)

    @app.cli.command("refill-reminders")
    def refill_reminders() -> None:
        """Queue refill-due reminders now (Celery beat runs this hourly); safe to repeat."""
        from hearth.services.medications.reminders import plan_due

        click.echo(f"refill reminders queued: {plan_due(base_url=current_app.config.get('BASE_URL', ''))}")
