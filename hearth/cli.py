"""Flask CLI commands: `flask seed-demo`, `flask notify-worker`."""

from __future__ import annotations

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo practice, staff, patients and caregivers (idempotent); print the logins."""
        from hearth import demo

        logins = demo.seed()
        click.echo(f"Demo logins (password for all: {demo.DEMO_PASSWORD})")
        for role, email in logins:
            click.echo(f"  {role:<28} {email}")

    try:
        from hearth.cli_notify import register as register_notify
    except ModuleNotFoundError:
        return
    register_notify(app)
