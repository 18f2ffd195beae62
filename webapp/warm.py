"""Load now what the first requests would otherwise load: for a server that
forks its workers from one loaded app (``webapp/wsgi.py``)."""

from __future__ import annotations

from babel import Locale
from flask import Flask
from flask_babel import get_translations


def up(app: Flask) -> None:
    """Compile every template, read every enabled language's catalogue and
    locale data, and read the content files. Touches no database."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    for code in app.config["SITE"].languages:
        prefix = "" if code == "en" else f"/{code}"
        with app.test_request_context(f"{prefix}/"):
            get_translations()
        Locale.parse(code).date_formats  # noqa: B018  (loads the locale's data)
    library = app.extensions.get("content")
    if library is not None:
        library.snapshot()
