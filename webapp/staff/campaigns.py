"""The comms team's view of the campaigns: their dates and state, and each one
as residents will see it, whatever its dates."""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request

from webapp.clock import today
from webapp.content import routes as content_routes
from webapp.i18n import direction
from webapp.rules.contact import CONTENT_ROLES
from webapp.staff.web import bp, staff_required


@bp.route("/content/")
@staff_required(roles=CONTENT_ROLES)
def content_list():
    """Every campaign, with its dates and whether it is live, for the comms team."""
    library = current_app.extensions["content"]
    day = today()
    documents = library.snapshot().documents
    rows = [
        {
            "slug": slug,
            "doc": documents[(kind, slug, "en")],
            "languages": sorted(lang for k, s, lang in documents if (k, s) == (kind, slug)),
            "state": state(documents[(kind, slug, "en")], day),
        }
        for kind, slug, lang in sorted(documents)
        if kind == "campaigns" and lang == "en"
    ]
    return render_template(
        "staff/content.html",
        rows=rows,
        problems=sorted(str(path.name) for path in library.snapshot().problems),
    )


def state(doc, today) -> str:
    if doc.live(today):
        return "live"
    return "scheduled" if doc.publish_from and doc.publish_from > today else "ended"


@bp.route("/content/campaigns/<slug:slug>")
@staff_required(roles=CONTENT_ROLES)
def preview_campaign(slug):
    """A campaign as residents will see it, whatever its dates (comms and admin)."""
    site = current_app.config["SITE"]
    lang = request.args.get("lang", "en")
    g.lang_code = lang if lang in site.languages else "en"
    doc = current_app.extensions["content"].find("campaigns", slug, g.lang_code)
    if doc is None:
        abort(404)
    # Links inside stay as they are: on a staff-only instance they point at the
    # public site's addresses.
    return render_template(
        "staff/preview.html", doc=content_routes.shown(doc), direction=direction(doc.lang)
    )
