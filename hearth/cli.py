"""Flask CLI commands: `flask seed-demo`, `flask notify-worker`."""

from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has a practice.")
    def seed_demo(if_empty: bool) -> None:
        """Create the demo practice, staff, patients and caregivers (idempotent); print the logins."""
        from hearth import demo

        if if_empty and demo.has_practice():
            click.echo("The database already has a practice: demo data not added.")
            return
        logins = demo.seed()
        secret = demo.totp_secret()
        click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for role, email in logins:
            click.echo(f"  {role:<36} {email}")
        click.echo(f"[2FA] accounts use the demo TOTP secret {secret} (HEARTH_DEMO_TOTP_SECRET overrides it).")
        click.echo("  Add it to an authenticator app, or print the current code with:")
        click.echo(f"  .venv/bin/python -c \"import pyotp;print(pyotp.TOTP('{secret}').now())\"")

    try:
        from hearth.cli_notify import register as register_notify
    except ModuleNotFoundError:
        return
    register_notify(app)
