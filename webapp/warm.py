"""Load now what the first requests would otherwise load: for a server that
forks its workers from one loaded app (``webapp/wsgi.py``)."""

from __future__ import annotations

import logging

from babel import Locale
from flask import Flask
from flask_babel import get_translations

log = logging.getLogger(__name__)


def up(app: Flask) -> None:
    """Compile every template, read every enabled language's catalogue and
    locale data, and read and parse the published content, so that every
    worker starts with it (it asks the database again within a second). A
    database that cannot be read yet stops nothing: each worker then reads
    the content on its first request. The connection used is the master's,
    which no worker uses (``webapp/db.py``)."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    for code in app.config["SITE"].languages:
        prefix = "" if code == "en" else f"/{code}"
        with app.test_request_context(f"{prefix}/"):
            get_translations()
        Locale.parse(code).date_formats  # noqa: B018  (loads the locale's data)
    library = app.extensions.get("content")
    if library is not None:
        try:
            library.snapshot()
        except Exception:  # logged by the library; the workers will try again
            log.warning("the published content could not be read before serving")
