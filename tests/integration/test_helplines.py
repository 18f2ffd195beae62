"""The helpline follows the nation (issue 16): the box beside 999, the "when
we are closed" line, the way back's danger page and the content's
placeholders show the helpline of the nation the landlord serves (both, each
labelled, on a border); Clare's Law names the nation's scheme; a landlord's
own helpline still overrides. And the facts: the other-help page, a number
to text that is never a call link, and the promise from its setting."""

from __future__ import annotations

import re
import unicodedata

import pytest

from tests.conftest import LANGUAGES
from tests.integration.test_way_back import open_way_back, press, send_with_way_back
from tests.staff import OFFICER, add_officer
from webapp import db
from webapp.content.library import parse

BOX = re.compile(r'<aside class="emergency".*?</aside>', re.S)
ARTICLE = re.compile(r"<article.*?</article>", re.S)
LFF, NDAH = "Live Fear Free Helpline", "National Domestic Abuse Helpline"


def box(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return BOX.search(response.get_data(as_text=True)).group(0)


def article(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return ARTICLE.search(response.get_data(as_text=True)).group(0)


def test_a_welsh_landlord_shows_live_fear_free_in_english_and_byw_heb_ofn_in_welsh(make_app):
    client = make_app(SITE={"nations": ["wales"]}).test_client()
    english = box(client, "/")
    assert f"<bdi>{LFF}</bdi>: " in english and 'href="tel:08088010800"' in english
    assert NDAH not in english and "2000 247" not in english
    welsh = box(client, "/cy/")
    assert "<bdi>Llinell Gymorth Byw Heb Ofn</bdi>: " in welsh
    assert 'href="tel:08088010800"' in welsh and LFF not in welsh
    closed = client.get("/cy/ask").get_data(as_text=True)
    assert "Byw Heb Ofn" in closed.split("</h3>", 1)[1]  # the "when we are closed" line


def test_an_older_file_with_welsh_bank_holidays_shows_wales_too(make_app):
    client = make_app(SITE={"bank_holiday_nation": "wales"}).test_client()
    assert LFF in box(client, "/")


@pytest.mark.parametrize(("nation", "name", "digits"), [
    ("england", NDAH, "08082000247"),
    ("scotland", "Domestic Abuse and Forced Marriage Helpline", "08000271234"),
    ("northern-ireland", "Domestic and Sexual Abuse Helpline", "08088021414"),
])
def test_each_nation_shows_its_own(make_app, nation, name, digits):
    client = make_app(SITE={"nations": [nation]}).test_client()
    for path in ("/", "/ar/", "/pl/other-help"):
        shown = box(client, path)
        assert f"<bdi>{name}</bdi>: " in shown and f'href="tel:{digits}"' in shown, path
    closed = client.get("/ask").get_data(as_text=True)
    assert f"When we are closed, the <bdi>{name}</bdi> can help: " in closed


def test_two_nations_show_both_each_labelled(make_app):
    client = make_app(SITE={"nations": ["wales", "england"]}).test_client()
    shown = box(client, "/")
    assert shown.index(f"<bdi>{LFF}</bdi> (Wales): ") < shown.index(
        f"<bdi>{NDAH}</bdi> (England): ")
    assert 'href="tel:08088010800"' in shown and 'href="tel:08082000247"' in shown
    welsh = box(client, "/cy/")
    assert "Byw Heb Ofn" in welsh and NDAH in welsh
    closed = client.get("/ask").get_data(as_text=True)
    assert "When we are closed, a helpline can help, free, day and night:" in closed
    assert f"<li><bdi>{LFF}</bdi> (Wales): " in closed
    # The content's placeholders name both, each with its nation.
    text = article(client, "/clares-law")
    assert (f"call the <bdi>{LFF}</bdi> (Wales) / <bdi>{NDAH}</bdi> (England) free on "
            '<a class="tel" href="tel:08088010800" dir="ltr">0808 80 10 800</a> (Wales) / '
            '<a class="tel" href="tel:08082000247" dir="ltr">0808 2000 247</a> (England)') in text


def test_a_landlords_own_helpline_still_overrides(make_app):
    client = make_app(SITE={"nations": ["wales", "england"], "helpline_name": "Valley Line",
                            "helpline_phone": "0800 123 4567"}).test_client()
    for path in ("/", "/cy/"):
        shown = box(client, path)
        assert "<bdi>Valley Line</bdi>: " in shown and 'href="tel:08001234567"' in shown
        assert LFF not in shown and "Byw Heb Ofn" not in shown and NDAH not in shown
    closed = client.get("/ask").get_data(as_text=True)
    assert "When we are closed, the <bdi>Valley Line</bdi> can help: " in closed
    assert "call the <bdi>Valley Line</bdi> free on" in article(client, "/clares-law")


def test_a_landlords_helpline_named_per_language(make_app):
    client = make_app(SITE={"helpline_name": {"en": "Valley Line", "cy": "Llinell y Cwm"},
                            "helpline_phone": "0800 123 4567"}).test_client()
    assert "<bdi>Llinell y Cwm</bdi>: " in box(client, "/cy/")
    assert "<bdi>Valley Line</bdi>: " in box(client, "/pl/")


@pytest.fixture
def way_back_app(make_app, clock, database_url):
    def make(site):
        app = make_app(database_url, CLOCK=lambda: clock["now"], SITE=site)
        db.upgrade(app.extensions["db_engine"])
        add_officer(app, OFFICER, clock)
        return app
    return make


def test_the_way_backs_danger_page_names_the_nations_helplines(way_back_app):
    from tests.conftest import Walker

    client = way_back_app({"nations": ["scotland", "england"]}).test_client()
    reference, _html = send_with_way_back(Walker(client))
    open_way_back(client, reference)
    press(client, "show", page="danger")
    html = client.get("/return").get_data(as_text=True)
    assert "When you can, you can also call a helpline, free, day and night:" in html
    assert "<bdi>Domestic Abuse and Forced Marriage Helpline</bdi> (Scotland): " in html
    assert f"<bdi>{NDAH}</bdi> (England): " in html


# -- Clare's Law follows the nation ----------------------------------------------

SCHEMES = {
    "england": "Domestic Violence Disclosure Scheme in England and Wales",
    "wales": "Domestic Violence Disclosure Scheme in England and Wales",
    "scotland": "Disclosure Scheme for Domestic Abuse Scotland",
    "northern-ireland": "Domestic Violence and Abuse Disclosure Scheme",
}


@pytest.mark.parametrize("nation", list(SCHEMES))
def test_clares_law_names_the_nations_scheme(make_app, nation):
    client = make_app(SITE={"nations": [nation]}).test_client()
    text = article(client, "/clares-law")
    assert SCHEMES[nation] in text
    for other, scheme in SCHEMES.items():
        if scheme != SCHEMES[nation]:
            assert scheme not in text, other
    assert "The right to ask" in text and "How to apply" in text  # the rest is for all


def test_a_border_landlords_clares_law_names_both_schemes(make_app):
    text = article(make_app(SITE={"nations": ["england", "scotland"]}).test_client(),
                   "/clares-law")
    assert SCHEMES["england"] in text and SCHEMES["scotland"] in text
    assert SCHEMES["northern-ireland"] not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_clares_law_follows_the_nation_in_every_language(make_app, lang):
    """Every language's file has the English file's nation parts, and a
    Scottish landlord's page shows the Scottish part, never the English one."""
    app = make_app(SITE={"nations": ["scotland"]})
    folder = app.extensions["content_files"].root / "pages"
    english = parse(folder / "clares-law.en.md", "pages")
    doc = parse(folder / f"clares-law.{lang}.md", "pages")
    assert [only for only, _html in doc.sections] == [only for only, _ in english.sections]
    parts = {only: html for only, html in doc.sections if only}
    scottish = parts[frozenset({"scotland"})]
    england_and_wales = parts[frozenset({"england", "wales"})]
    text = article(app.test_client(), "/clares-law" if lang == "en" else f"/{lang}/clares-law")
    assert scottish.strip() in text and england_and_wales.strip() not in text
    assert parts[frozenset({"northern-ireland"})].strip() not in text


# -- facts -------------------------------------------------------------------------


def test_other_help_says_who_each_helpline_is_for(client):
    text = article(client, "/other-help")
    line = re.search(r"<li><strong>National Domestic Abuse Helpline.*?</li>", text).group(0)
    assert "for anyone" not in line
    assert "for women" in line and "Men’s Advice Line" in line


@pytest.mark.parametrize("lang", LANGUAGES)
def test_other_help_lists_every_nations_helpline_and_the_mens_advice_line(client, lang):
    text = article(client, "/other-help" if lang == "en" else f"/{lang}/other-help")
    for digits in ("08082000247", "08088010800", "08000271234", "08088021414", "08088010327"):
        assert f'href="tel:{digits}"' in text, digits
    assert text.count("Men’s Advice Line") >= 2  # its own line, and the one men are pointed to


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_number_to_text_to_register_is_never_a_call_link(client, lang):
    """ "Text register to 999": a tap on 999 there would start an emergency
    call, not a text."""
    text = article(client, "/help-when-you-cannot-speak" if lang == "en"
                   else f"/{lang}/help-when-you-cannot-speak")
    start = re.search(r"<h2>[^<]*<code>999</code>[^<]*</h2>", text).start()  # texting 999
    section = text[start:text.index("<h2>", start + 4)]
    assert "register" in section
    assert "tel:" not in section
    assert section.count("<code>999</code>") == 3
    assert 'href="tel:999"' in text  # 999 to call elsewhere on the page is still a link


# -- the promise ---------------------------------------------------------------------


def ascii_digits(text: str) -> str:
    """৪৮ and ٤٨ read as 48: a hard-coded time in any script is found."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in text)


def public_pages(app) -> list[str]:
    documents = app.extensions["content"].snapshot().documents
    slugs = sorted({(kind, slug) for kind, slug, _lang in documents})
    return ["/", "/ask", "/concern", "/safety-online", "/campaigns/"] + [
        ("/campaigns/" if kind == "campaigns" else "/") + slug for kind, slug in slugs]


@pytest.mark.parametrize("site", [{"promise_hours": 48}, {"promise": "same-working-day"}])
def test_no_page_in_any_language_states_a_time_but_the_promise(make_app, site):
    """With any other promise, no page says 24 (hours) anywhere: every
    response time on the site comes from the promise setting."""
    app = make_app(SITE=site)
    client = app.test_client()
    seen = 0
    for lang in LANGUAGES:
        for path in public_pages(app):
            response = client.get(path if lang == "en" else f"/{lang}{path}")
            if response.status_code == 404:  # a campaign that is not live today
                continue
            text = ascii_digits(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
            assert not re.search(r"(?<!\d)24(?!\d)", text), (lang, path)
            seen += 1
    assert seen > 12 * 10


PROMISE_PAGE = """---
title: After you ask
summary: What happens next.
---
{promise} Until then, you can call the {helpline_name} on {helpline_phone}.
"""


@pytest.mark.parametrize(("site", "wanted"), [
    ({"promise_hours": 48}, "We will get in touch within 48 hours, at a time you tell us is safe."),
    ({"promise": "same-working-day"}, "We will get in touch the same working day"),
])
def test_the_promise_placeholder_follows_the_setting(make_app, tmp_path, site, wanted):
    root = tmp_path / "content"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "after-you-ask.en.md").write_text(PROMISE_PAGE)
    client = make_app(SITE=site, CONTENT_DIR=str(root)).test_client()
    text = article(client, "/after-you-ask")
    assert f"<p>{wanted}" in text and "24 hours" not in text
    assert "<bdi>National Domestic Abuse Helpline</bdi>" in text
    assert wanted.split(",")[0] not in article(client, "/cy/after-you-ask")  # in Welsh there


def test_the_check_names_a_wrong_nation_line_and_a_translation_without_the_parts(make_app,
                                                                                 tmp_path):
    root = tmp_path / "content"
    (root / "pages").mkdir(parents=True)
    head = "---\ntitle: T\nsummary: S.\n---\n"
    (root / "pages" / "scheme.en.md").write_text(
        head + "All.\n\n{nation: scotland}\n\nScots.\n\n{nation: all}\n\nEnd.\n")
    (root / "pages" / "scheme.cy.md").write_text(head + "Pawb.\n\nAlbanwyr.\n\nDiwedd.\n")
    (root / "pages" / "wrong.en.md").write_text(head + "All.\n\n{nation: cornwall}\n\nX.\n")
    app = make_app(CONTENT_DIR=str(root))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "scheme.cy.md:1: its {nation: ...} parts differ from" in result.output
    assert "wrong.en.md:7: {nation: cornwall} must name nations" in result.output
