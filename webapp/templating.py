"""What every template can use: the landlord's settings and page titles."""

from __future__ import annotations

from flask import Flask, current_app, g
from jinja2 import StrictUndefined
from markupsafe import Markup

from webapp import presentation
from webapp.i18n import current_language


def document_title(title: str) -> str:
    """The ``<title>``: the page's own, or the neutral one the landlord chose."""
    site = current_app.config["SITE"]
    if site.neutral_titles:
        return site.neutral_title
    # The title block arrives as already-escaped markup; keep its text only.
    return f"{Markup(title).striptags()} – {site.organisation_name}"  # noqa: S704


def tel(number: str) -> Markup:
    """A phone number that a tap on a phone dials; digits stay left to right."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    return Markup('<a class="tel" href="tel:{}" dir="ltr">{}</a>').format(digits, number)


def isolate(text: str) -> Markup:
    """A name set into a sentence keeps its own direction (Latin inside Arabic)."""
    return Markup("<bdi>{}</bdi>").format(text)


def helplines() -> list[dict]:
    """The helplines shown beside 999 and wherever a page names one: the
    nation's (two, each with its nation's name, on a border), or the
    landlord's own; named in the page's language (``presentation.helplines_shown``)."""
    if "helplines" not in g:
        g.helplines = presentation.helplines_shown(
            current_app.config["SITE"].helplines, current_language()
        )
    return g.helplines


def init_app(app: Flask) -> None:
    app.jinja_env.undefined = StrictUndefined

    @app.context_processor
    def site_context():
        site = app.config["SITE"]
        return {
            "site": site,
            "brand_style": Markup(app.config["BRAND_STYLE"]),  # noqa: S704 (colours checked at load)
            "document_title": document_title,
            "tel": tel,
            "isolate": isolate,
            "helplines": helplines,
            "favicon": "img/neutral.svg" if site.neutral_titles else "img/door.svg",
        }
