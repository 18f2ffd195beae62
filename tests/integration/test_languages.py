"""Twelve languages: every page in each, in its own words and direction; a
referral keeps the language it was made in."""

import json
import re

import pytest
from babel.messages.pofile import read_po

from tests.conftest import ASK_BY_PHONE, LANGUAGES, Walker
from webapp.i18n import TRANSLATIONS_DIR

RIGHT_TO_LEFT = ("ar", "ur")


def translated(lang: str, msgid: str) -> str:
    with open(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)[msgid].string


def test_the_site_offers_the_twelve_languages(app):
    assert app.config["SITE"].languages == LANGUAGES


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
@pytest.mark.parametrize(("path", "msgid"), [
    ("/", "Help with domestic abuse"),
    ("/ask", "Ask for help for yourself"),
    ("/safety-online", "Leave this site now"),
])
def test_each_page_speaks_the_language_in_its_direction(client, lang, path, msgid):
    html = client.get(f"/{lang}{path}").get_data(as_text=True)
    words = translated(lang, msgid)
    assert words and words != msgid
    assert words in html.replace("&#39;", "'")
    direction = "rtl" if lang in RIGHT_TO_LEFT else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_the_home_page_links_every_language_in_its_own_name(client):
    html = client.get("/").get_data(as_text=True)
    for name, code in (("Polski", "pl"), ("Română", "ro"), ("ਪੰਜਾਬੀ", "pa"), ("اردو", "ur"),
                       ("Português", "pt"), ("Español", "es"), ("বাংলা", "bn"),
                       ("ગુજરાતી", "gu"), ("Italiano", "it"), ("Cymraeg", "cy"),
                       ("العربية", "ar")):
        assert re.search(rf'href="/{code}/" lang="{code}"[^>]*>{name}</a>', html), code


def test_every_content_page_and_a_campaign_exist_in_every_language(app):
    documents = app.extensions["content"].snapshot().documents
    pages = {slug for kind, slug, lang in documents if kind == "pages" and lang == "en"}
    for lang in LANGUAGES:
        missing = [slug for slug in pages if ("pages", slug, lang) not in documents]
        assert not missing, (lang, missing)
        assert ("campaigns", "16-days-of-action", lang) in documents, lang


def test_a_referral_made_in_polish_without_javascript_stays_in_polish(app, migrated):
    resident = Walker(app.test_client())  # a plain client: no JavaScript
    steps = [(slug, {**data, "help_more": "Potrzebuję pomocy, proszę dzwonić wieczorem"})
             if slug == "what-would-help" else (slug, data) for slug, data in ASK_BY_PHONE]
    resident.walk("/pl/ask", steps)
    sent = resident.send("/pl/ask", follow=True).get_data(as_text=True)
    assert translated("pl", "We have your request") in sent
    exported = app.test_cli_runner().invoke(args=["referrals", "export"]).output
    record = json.loads(exported.strip().splitlines()[-1])
    assert record["language"] == "pl"
    assert record["contact"]["language"] == "pl"
    assert record["answers"]["help_more"] == "Potrzebuję pomocy, proszę dzwonić wieczorem"
