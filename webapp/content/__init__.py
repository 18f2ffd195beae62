"""Pages and awareness campaigns that the comms team writes in Markdown under
``content/`` (see docs/content.md): served at ``/SLUG`` and
``/campaigns/SLUG``, checked by ``flask --app webapp content check``."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint
from werkzeug.routing import BaseConverter

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"

bp = Blueprint("content", __name__, template_folder="templates")


class SlugConverter(BaseConverter):
    """A page's address: three or more lower-case letters, digits and hyphens
    (so that ``/cy`` is never taken for a page)."""

    regex = r"[a-z0-9][a-z0-9-]{2,79}"


from webapp.content import routes  # noqa: E402  (routes attach to bp)


def init_app(app, role: str = "all") -> None:
    """The pages on ``public`` and ``all``; the files everywhere (the staff
    side previews campaigns)."""
    from webapp.content import cli
    from webapp.content.library import Library

    folder = app.config.get("CONTENT_DIR") or os.environ.get("QD_CONTENT_DIR") or CONTENT_DIR
    app.extensions["content"] = Library(Path(folder))
    app.cli.add_command(cli.content_cli)
    if role in ("public", "all"):
        app.register_blueprint(bp)
        app.context_processor(routes.content_context)
