"""Information pages at ``/SLUG`` and campaigns at ``/campaigns/``, in the
visitor's language where there is a translation, else in English with a note."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, g, render_template
from werkzeug.routing import BaseConverter

from webapp import pages, presentation, templating
from webapp.clock import today
from webapp.content import render
from webapp.content.library import Document, Library
from webapp.i18n import current_language, localised_route

log = logging.getLogger(__name__)
bp = Blueprint("content", __name__, template_folder="templates")


class SlugConverter(BaseConverter):
    """A page's address: three or more lower-case letters, digits and hyphens
    (so that ``/cy`` is never taken for a page)."""

    regex = r"[a-z0-9][a-z0-9-]{2,79}"


def library() -> Library:
    return current_app.extensions["content"]


def placeholders() -> dict[str, render.Value]:
    """The landlord's words for the content's placeholders, in the page's
    language. The helpline is the nation's (``{helpline_name}``, ``{helpline_phone}``);
    with two nations each placeholder names both, each with its nation.
    Worked out once a request (the footer's list of pages fills them too)."""
    if "content_placeholders" in g:
        return g.content_placeholders
    site = current_app.config["SITE"]
    lines = templating.helplines()
    if len(lines) == 1:
        name, phone = lines[0]["name"], lines[0]["phone"]
    else:
        name = tuple((line["name"], line["nation"]) for line in lines)
        phone = tuple((line["phone"], line["nation"]) for line in lines)
    g.content_placeholders = {
        "organisation": site.organisation_name,
        "team": site.team_name,
        "team_phone": site.team_phone,
        "helpline_name": name,
        "helpline_phone": phone,
        "promise": presentation.promise_step(site.response_promise),
    }
    return g.content_placeholders


def shown(doc: Document, body: bool = True) -> dict:
    """What a template needs of a document: its words filled in, its links in
    the visitor's language, and whether it fell back to English. Lists need no
    ``body`` (the HTML), which is most of the work."""
    values, lang = placeholders(), current_language()
    site = current_app.config["SITE"]
    html = (
        render.localise(render.fill(doc.html_for(site.nations), values), lang, site.languages)
        if body
        else ""
    )
    return {
        "slug": doc.slug,
        "lang": doc.lang,
        "fallback": doc.lang != lang,
        "title": render.fill(doc.title, values, escape=False),
        "summary": render.fill(doc.summary, values, escape=False),
        "banner": render.fill(doc.banner, values, escape=False) if doc.banner else None,
        "html": html,
        "publish_from": doc.publish_from,
        "publish_until": doc.publish_until,
    }


def content_context() -> dict:
    """For every page: the information pages (footer) and today's banners."""

    def information():
        if "information_pages" in g:  # the home page and the footer both list them
            return g.information_pages
        try:
            g.information_pages = [
                shown(doc, body=False)
                for doc in library().listing("pages", current_language(), today())
                if doc.order is not None
            ]
            return g.information_pages
        except Exception:  # an error page must still render, with the exit and 999
            log.exception("content listing failed")
            pages.incomplete()
            return []

    def banners():
        try:
            return [
                shown(doc, body=False) for doc in library().banners(current_language(), today())
            ]
        except Exception:
            log.exception("content banners failed")
            pages.incomplete()
            return []

    return {"information_pages": information, "campaign_banners": banners}


@localised_route(bp, "/campaigns/")
def campaigns():
    return pages.shared(
        lambda: render_template(
            "content/campaigns.html",
            campaigns=[
                shown(doc, body=False)
                for doc in library().listing("campaigns", current_language(), today())
            ],
        )
    )


def document_page(kind: str, slug: str) -> bytes:
    """A page or campaign, kept once rendered. The file is looked up inside
    the render, after the cache key (with the content version) is taken: a
    page is never kept under a newer version than the text it shows. A 404
    is raised there too, and so never kept."""

    def render():
        doc = library().find(kind, slug, current_language())
        if doc is None or not doc.live(today()):
            abort(404)
        return render_template("content/document.html", doc=shown(doc), kind=kind)

    return pages.shared(render)


@localised_route(bp, "/campaigns/<slug:slug>")
def campaign(slug):
    return document_page("campaigns", slug)


@localised_route(bp, "/<slug:slug>")
def page(slug):
    return document_page("pages", slug)
