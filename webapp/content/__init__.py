"""Pages, awareness campaigns and local services, in Markdown (see
docs/content.md): kept in the database (``models.py``), where the comms team
publishes them from the staff site, and served from what is published
(``published.py``); read and checked by ``library.py`` (from files too: the
shipped ``content/`` folder is loaded on first start), rendered and
sanitised by ``render.py``, served at ``/SLUG`` and ``/campaigns/SLUG`` by
``routes.py``; local services on ``/help-near-you`` with the national ones
(``nearyou.py``); checked by ``flask --app webapp content check``
(``cli.py``). Nothing here imports the staff side."""

from __future__ import annotations

import os
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"


def init_app(app, role: str = "all") -> None:
    """The pages on ``public`` and ``all``; what is published everywhere (the
    staff side previews and publishes)."""
    from webapp import db
    from webapp.content import cli, nearyou, routes  # noqa: F401 (nearyou adds its view to routes.bp)
    from webapp.content.library import Library
    from webapp.content.published import Published

    folder = Path(app.config.get("CONTENT_DIR") or os.environ.get("QD_CONTENT_DIR") or CONTENT_DIR)
    engine = app.extensions["db_engine"]
    app.extensions["content"] = Published(engine)
    app.extensions["content_files"] = Library(folder)
    db.CONTENT_FOLDERS[engine] = folder  # loaded into a new database (0010_content.py)
    if "content" not in app.cli.commands:  # the staff side's has import and export too
        app.cli.add_command(cli.content_cli)
    if role in ("public", "all"):
        app.register_blueprint(routes.bp)
        app.context_processor(routes.content_context)
