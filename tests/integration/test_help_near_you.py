"""Help near you: every area on one page in every language, national
services for the landlord's nation first, local services (published from
content/: tests/content.py) under the configured areas, example services
marked in the demo and refused in production; no cookie, nothing stored, nothing logged."""

import logging
import re

import pytest
from sqlalchemy import inspect, text

from tests.conftest import LANGUAGES
from tests.content import publish
from webapp.rules.sealing import generate_keypair

LOCAL = """---
name: {name}
offer: Someone to meet you somewhere safe.
who: Anyone in {area}.
phone: 0113 496 0500
hours: Weekdays 09:00 to 17:00
self_referral: {self_referral}
areas: [{area}]
{extra}---
Ask for the outreach team, or see [other help](/other-help).
"""


def local(content, slug="riverside-outreach", lang="en", name="Riverside Outreach",
          area="Riverside", self_referral="yes", extra=""):
    path = content / "services" / f"{slug}.{lang}.md"
    path.write_text(LOCAL.format(name=name, area=area, self_referral=self_referral, extra=extra))
    return path


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    for kind in ("pages", "campaigns", "services"):
        (root / kind).mkdir(parents=True)
    (root / "pages" / "other-help.en.md").write_text(
        "---\ntitle: Other help\nsummary: Help.\n---\nCall 101.\n")
    return root


AREAS = ["Riverside", "Ynys Môn", "Hillcrest"]


@pytest.fixture
def web(make_app, content):
    app = make_app(CONTENT_DIR=str(content), SITE={"areas": AREAS})
    app.extensions["content"].interval = 0
    return app


def run_check(app):
    return app.test_cli_runner().invoke(args=["content", "check"])


# ---------------------------------------------------------------------------
# The page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_in_every_language(client, lang):
    """The client checks the page (tests/pages.py); here its language, the
    nation's helpline as a tap to call, the areas as in-page links only."""
    response = client.get("/help-near-you" if lang == "en" else f"/{lang}/help-near-you")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    direction = "rtl" if lang in ("ar", "ur") else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in html
    main = html[html.index("<main"):html.index("</main>")]
    assert 'href="tel:08082000247"' in main and 'href="tel:116123"' in main
    for anchor in ("area-northgate", "area-eastfield", "area-millbrook"):
        assert f'href="#{anchor}"' in main and f'id="{anchor}"' in main
    assert "<form" not in main  # nothing to send: the area is chosen on the page


def test_national_services_first_then_local_by_area(web, content):
    local(content)
    local(content, slug="mon-support", name="Cefnogaeth Môn", area="Ynys Môn")
    publish(web)
    html = web.test_client().get("/help-near-you").get_data(as_text=True)
    assert html.index("National Domestic Abuse Helpline") < html.index("Riverside Outreach")
    assert html.index('id="area-riverside"') < html.index("Riverside Outreach") \
        < html.index('id="area-ynys-mon"') < html.index("Cefnogaeth Môn") \
        < html.index('id="area-hillcrest"')
    assert 'href="#area-ynys-mon"' in html
    assert 'href="tel:01134960500"' in html
    assert "You can contact them yourself." in html
    hillcrest = html[html.index('id="area-hillcrest"'):]
    assert "We have not listed any local services here yet" in hillcrest
    assert "Example:" not in html


@pytest.mark.parametrize(("nations", "shown"), [(["england"], False), (["wales"], True)])
def test_a_services_nation_only_text_follows_the_nations(make_app, content, nations, shown):
    """{nation: ...} parts of a service's text are shown only where the
    homes are, as on every other content page: not the Welsh line's offer
    to a reader in England."""
    path = local(content)
    path.write_text(path.read_text() + "{nation: wales}\nIn Wales, ask for Cymorth.\n"
                    "{nation: all}\nOpen on bank holidays.\n")
    app = make_app(CONTENT_DIR=str(content), SITE={"areas": AREAS, "nations": nations})
    html = app.test_client().get("/help-near-you").get_data(as_text=True)
    assert ("In Wales, ask for Cymorth." in html) is shown
    assert "Open on bank holidays." in html and "Ask for the outreach team" in html


def test_a_service_that_needs_a_referral_says_so(web, content):
    local(content, self_referral="no")
    publish(web)
    html = web.test_client().get("/help-near-you").get_data(as_text=True)
    assert "Someone must refer you" in html


def test_the_helpline_follows_the_landlords_nation(make_app):
    html = make_app(SITE={"bank_holiday_nation": "wales"}).test_client().get(
        "/help-near-you").get_data(as_text=True)
    main = html[html.index("<main"):]
    national = main[:main.index('id="local-heading"')]
    assert national.index("Live Fear Free") < national.index("Men&#39;s Advice Line")
    assert "0808 80 10 800" in national
    assert "National Domestic Abuse Helpline" not in national
    elsewhere = main[main.index('id="elsewhere-heading"'):]
    assert "National Domestic Abuse Helpline" in elsewhere and "0800 027 1234" in elsewhere
    scottish = make_app(SITE={"bank_holiday_nation": "scotland"}).test_client().get(
        "/help-near-you").get_data(as_text=True)
    assert "Rape Crisis 24/7 Support Line" not in scottish  # England and Wales only


def test_no_areas_configured_shows_the_national_services_only(make_app):
    html = make_app(SITE={"areas": []}).test_client().get("/help-near-you").get_data(
        as_text=True)
    assert "Samaritans" in html and 'id="local-heading"' not in html


def test_a_translated_service_shows_its_words_and_the_english_facts(web, content):
    local(content)
    local(content, lang="cy", name="Allgymorth Glan yr Afon")
    publish(web)
    welsh = web.test_client().get("/cy/help-near-you").get_data(as_text=True)
    assert "Allgymorth Glan yr Afon" in welsh
    assert 'href="/cy/other-help"' in welsh  # links stay in Welsh
    polish = web.test_client().get("/pl/help-near-you").get_data(as_text=True)
    # Its words in English, marked as such; the labels around them in Polish.
    assert '<h4 class="service-name" lang="en" dir="ltr">Riverside Outreach</h4>' in polish
    assert '<dd lang="en" dir="ltr">Anyone in Riverside.</dd>' in polish
    assert "<dt>Dla kogo</dt>" in polish or "<dt>Who for</dt>" in polish  # catalogue merged later


def test_the_demo_marks_its_example_services(client):
    html = client.get("/help-near-you").get_data(as_text=True)
    assert "Northgate Women&#39;s Centre" in html
    assert "<dd>English, Urdu, Punjabi, Polish</dd>" in html  # the languages they speak
    welsh = client.get("/cy/help-near-you").get_data(as_text=True)
    assert "<dd>Saesneg, Wrdw, Pwnjabeg, Pwyleg</dd>" in welsh  # named in Welsh
    cards = re.findall(r'<li class="service">.*?</li>', html, re.S)
    examples = [card for card in cards if "0113 496 " in card]
    assert len(examples) == 4  # three made-up services, one of them in two areas
    assert all("It is not a real service: do not contact it." in card for card in examples)


def test_production_never_shows_an_example_service(make_app, tmp_path, content):
    local(content, extra="example: true\n")
    generate_keypair(tmp_path / "instance")  # production never makes its own
    app = make_app(QD_ENV="production", QD_ROLE="public", CONTENT_DIR=str(content),
                   SITE={"organisation_name": "Riverside Housing",
                         "team_phone": "0300 123 4567", "areas": AREAS})
    html = app.test_client().get("/help-near-you", headers={"X-Forwarded-Proto": "https"})
    assert html.status_code == 200
    assert "Riverside Outreach" not in html.get_data(as_text=True)
    result = run_check(app)
    assert result.exit_code == 1
    assert ("content/services/riverside-outreach.en.md:9: an example service, made up for "
            "the demo: production refuses it") in result.output


def row_counts(app) -> dict:
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        return {table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar()
                for table in inspect(engine).get_table_names()}


def test_the_page_stores_sends_and_logs_nothing(migrated, caplog):
    before = row_counts(migrated)
    caplog.set_level(logging.INFO)
    client = migrated.test_client()
    for path in ("/help-near-you", "/ur/help-near-you", "/help-near-you#area-eastfield"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"].startswith("no-store")
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "help-near-you" not in caplog.text and "eastfield" not in caplog.text.lower()
    assert row_counts(migrated) == before


def test_the_home_page_and_footer_link_to_it(client):
    html = client.get("/cy/").get_data(as_text=True)
    assert html.count('href="/cy/help-near-you"') == 2


# ---------------------------------------------------------------------------
# content check


def test_the_check_passes_good_services_and_warns_of_translations(web, content):
    local(content)
    result = run_check(web)
    assert result.exit_code == 0, result.output
    assert "riverside-outreach.en.md:1: no cy translation (riverside-outreach.cy.md)" \
        in result.output


def test_the_check_refuses_an_area_the_landlord_does_not_have(web, content):
    local(content, area="Atlantis")
    result = run_check(web)
    assert result.exit_code == 1
    assert ("content/services/riverside-outreach.en.md:8: area(s) Atlantis are not the "
            "landlord's areas (the areas setting: Riverside, Ynys Môn, Hillcrest)") \
        in result.output
    assert web.test_client().get("/help-near-you").status_code == 200  # and the page holds


def test_the_check_refuses_a_translation_whose_facts_differ(web, content):
    local(content)
    local(content, lang="cy", name="Allgymorth", self_referral="no")
    result = run_check(web)
    assert result.exit_code == 1
    assert "riverside-outreach.cy.md:1: its phone, self_referral, areas, languages or " \
           "example differ" in result.output


def test_the_check_names_a_broken_service_file(web, content):
    local(content).write_text(LOCAL.format(name="X", area="Riverside", self_referral="yes",
                                           extra="").replace("0113 496 0500", "0113-496"))
    result = run_check(web)
    assert result.exit_code == 1
    assert "riverside-outreach.en.md:5: phone:" in result.output


def test_the_check_allows_examples_in_the_demo(web, content):
    local(content, extra="example: true\n")
    assert run_check(web).exit_code == 0


def test_production_check_refuses_the_demo_areas(make_app, tmp_path, content):
    local(content, area="Northgate")
    generate_keypair(tmp_path / "instance")
    app = make_app(QD_ENV="production", QD_ROLE="public", CONTENT_DIR=str(content),
                   SITE={"organisation_name": "Riverside Housing",
                         "team_phone": "0300 123 4567"})
    result = run_check(app)
    assert result.exit_code == 1
    assert "areas are the demo's (Northgate, Eastfield, Millbrook)" in result.output


def test_production_never_shows_the_demos_made_up_areas(make_app, tmp_path, content):
    """A landlord who has not set its areas (the check refuses the demo's
    only once there are local services) must not show residents three
    made-up places, each 'with no local services yet': national ones only."""
    generate_keypair(tmp_path / "instance")
    app = make_app(QD_ENV="production", QD_ROLE="public", CONTENT_DIR=str(content),
                   SITE={"organisation_name": "Riverside Housing",
                         "team_phone": "0300 123 4567"})
    html = app.test_client().get("/help-near-you", headers={"X-Forwarded-Proto": "https"})
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert "National Domestic Abuse Helpline" in page
    for made_up in ("Northgate", "Eastfield", "Millbrook"):
        assert made_up not in page


def test_a_page_cannot_take_the_address(web, content):
    (content / "pages" / "help-near-you.en.md").write_text(
        "---\ntitle: Mine\nsummary: Mine.\n---\nMine.\n")
    result = run_check(web)
    assert result.exit_code == 1
    assert "/help-near-you is the site's own page (content.help_near_you)" in result.output
