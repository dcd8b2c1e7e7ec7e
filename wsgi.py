"""WSGI entry point: gunicorn 'wsgi:app'."""

from hearth.app import create_app

app = create_app()
