"""Languages live in the URL: English at ``/``, others under ``/<code>/``.

Never a cookie and never ``Accept-Language`` alone: a shared device must not
remember that someone read this site in Urdu. Each localised view is
registered twice by ``localised_route``, once bare (English) and once under the
language prefix; ``url_for`` fills in the current language by itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, request, url_for
from flask_babel import Babel
from werkzeug.routing import BaseConverter

DEFAULT = "en"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def available_languages() -> set[str]:
    """English plus every language that has a catalogue in ``translations/``."""
    found = {p.parent.parent.name for p in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")}
    return {DEFAULT} | found


@cache
def native_name(code: str) -> str:
    """The language's name in itself: Cymraeg, العربية, Polski."""
    name = Locale.parse(code).get_display_name(code)
    return name[:1].upper() + name[1:]


@cache
def direction(code: str) -> str:
    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


class LanguageConverter(BaseConverter):
    """Matches the enabled language codes other than English."""

    codes: tuple[str, ...] = ()

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = "|".join(self.codes) or "(?!)"


def localised_route(blueprint, rule: str, **options):
    """Register a view at ``rule`` (English) and at ``/<lang>rule``."""

    def decorator(view):
        blueprint.add_url_rule(rule, view_func=view, defaults={"lang_code": DEFAULT}, **options)
        blueprint.add_url_rule("/<lang:lang_code>" + rule, view_func=view, **options)
        return view

    return decorator


def language_from_path(path: str, enabled: tuple[str, ...]) -> str:
    """The language a path is in, also for paths that match no route (error pages)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in enabled and first != DEFAULT else DEFAULT


def current_language() -> str:
    if "lang_code" not in g:
        g.lang_code = language_from_path(request.path, current_app.config["SITE"].languages)
    return g.lang_code


def language_links() -> list[dict]:
    """The same page in every enabled language, for the switcher."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    if not endpoint or not current_app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
        endpoint, args = "public.home", {}
    current = current_language()
    links = []
    for code in current_app.config["SITE"].languages:
        args["lang_code"] = code
        links.append(
            {
                "code": code,
                "name": native_name(code),
                "dir": direction(code),
                "url": url_for(endpoint, **args),
                "current": code == current,
            }
        )
    return links


def init_app(app: Flask) -> None:
    enabled = app.config["SITE"].languages
    missing = sorted(set(enabled) - available_languages())
    if missing:
        raise RuntimeError(
            f"Languages enabled but not translated: {', '.join(missing)} "
            f"(no catalogue in {TRANSLATIONS_DIR})"
        )
    converter = type(
        "EnabledLanguages",
        (LanguageConverter,),
        {"codes": tuple(c for c in enabled if c != DEFAULT)},
    )
    app.url_map.converters["lang"] = converter
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    Babel(app, locale_selector=current_language)
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.url_value_preprocessor
    def take_language(endpoint, values):
        if values and "lang_code" in values:
            g.lang_code = values.pop("lang_code")

    @app.url_defaults
    def add_language(endpoint, values):
        if "lang_code" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
            values["lang_code"] = current_language()

    @app.context_processor
    def language_context():
        code = current_language()
        return {"lang": code, "dir": direction(code), "language_links": language_links}
