"""``/help-near-you``: services that can help without the landlord.

National services ship with the product (``webapp/rules/services.py``);
local ones are the comms team's files under ``content/services/``. Every
area is on the one page, with a list of in-page links that jumps to hers:
her area is never sent to us, and nothing about the visit is kept. The page
is the same for everyone, so it is rendered once per worker and language
(``pages.shared``).
"""

from __future__ import annotations

from babel import Locale
from flask import current_app, render_template
from flask_babel import gettext

from webapp import pages
from webapp.clock import today
from webapp.content import render
from webapp.content.library import Document
from webapp.content.routes import bp, library, placeholders
from webapp.i18n import current_language, direction, localised_route, native_name
from webapp.rules import services
from webapp.settings import DEMO_AREAS


def nations() -> tuple[str, ...]:
    """The nations whose services come first: where the landlord's homes
    are (one, or two on a border), as for the helpline beside 999."""
    return tuple(current_app.config["SITE"].nations)


def national(service: services.Service) -> dict:
    return {
        "name": gettext(service.name),
        "offer": gettext(service.offer),
        "who": gettext(service.who),
        "hours": gettext(service.hours),
        "phone": service.phone,
        "self_referral": service.self_referral,
        "warning": gettext(service.warning) if service.warning else None,
        "languages": "",
        "example": False,
        "fallback": None,
        "html": "",
    }


def local(doc: Document, english: Document, lang: str) -> dict:
    """A local service in the visitor's language where there is a translation;
    its facts always from the English file, which ``content check`` compares."""
    values = placeholders()
    facts = english.service
    return {
        "name": render.fill(doc.title, values, escape=False),
        "offer": render.fill(doc.summary, values, escape=False),
        "who": render.fill(doc.service.who, values, escape=False),
        "hours": render.fill(doc.service.hours, values, escape=False),
        "phone": facts.phone,
        "self_referral": facts.self_referral,
        "warning": None,
        "languages": list_separator(lang).join(
            language_name(code, lang) for code in facts.languages
        ),
        "example": facts.example,
        "fallback": doc.lang if doc.lang != lang else None,
        "html": render.localise(
            render.fill(doc.html_for(nations()), values), lang, current_app.config["SITE"].languages
        ),
    }


def list_separator(lang: str) -> str:
    """A plain list (CLDR's "and" lists read oddly in some languages: "a(c)")."""
    return "، " if direction(lang) == "rtl" else ", "


def language_name(code: str, lang: str) -> str:
    """A language a service speaks, named in the reader's language."""
    try:
        name = Locale.parse(code).get_display_name(lang) or code
    except (ValueError, LookupError):
        name = native_name(code)
    return name[:1].upper() + name[1:] if lang == "en" else name


def page_values() -> dict:
    site = current_app.config["SITE"]
    lang = current_language()
    production = current_app.config.get("QD_ENV") == "production"
    shelf = library()
    # The demo's areas are made up: a real landlord that has not set its own
    # shows the national services only (``content check`` names the setting).
    areas = () if production and site.areas == DEMO_AREAS else site.areas
    by_area: dict[str, list[dict]] = {area: [] for area in areas}
    for doc in shelf.listing("services", lang, today()):
        english = shelf.find("services", doc.slug, "en")
        if english is None or english.service is None:
            continue
        if english.service.example and production:
            continue  # made up for the demo: never on a real landlord's site
        shown = local(doc, english, lang)
        for area in english.service.areas:
            if area in by_area:
                by_area[area].append(shown)
    chosen = nations()
    return {
        "national": [national(service) for service in services.national(chosen)],
        "elsewhere": [national(service) for service in services.elsewhere(chosen)],
        "areas": [
            {"name": area, "anchor": services.area_anchor(area), "services": by_area[area]}
            for area in areas
        ],
    }


@localised_route(bp, "/help-near-you")
def help_near_you():
    return pages.shared(lambda: render_template("content/help_near_you.html", **page_values()))
