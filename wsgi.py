"""The one entry point for servers: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from community import create_app

app = create_app()
