"""Pages and awareness campaigns that the comms team writes in Markdown under
``content/`` (see docs/content.md): read and checked by ``library.py``,
rendered and sanitised by ``render.py``, served at ``/SLUG`` and
``/campaigns/SLUG`` by ``routes.py``; local services (``content/services/``)
on ``/help-near-you`` with the national ones (``nearyou.py``); checked by ``flask --app webapp
content check`` (``cli.py``). Nothing here imports the staff side."""

from __future__ import annotations

import os
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"


def init_app(app, role: str = "all") -> None:
    """The pages on ``public`` and ``all``; the files everywhere (the staff
    side previews campaigns)."""
    from webapp.content import cli, nearyou, routes  # noqa: F401 (nearyou adds its view to routes.bp)
    from webapp.content.library import Library

    folder = app.config.get("CONTENT_DIR") or os.environ.get("QD_CONTENT_DIR") or CONTENT_DIR
    app.extensions["content"] = Library(Path(folder))
    app.cli.add_command(cli.content_cli)
    if role in ("public", "all"):
        app.register_blueprint(routes.bp)
        app.context_processor(routes.content_context)
