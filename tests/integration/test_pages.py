"""Every public page, in every language: sound HTML, quick exit first, 999 shown."""

from pathlib import Path

import pytest

from tests.conftest import LANGUAGES

PAGES = ("/", "/ask", "/concern", "/recognising-abuse", "/what-we-can-do", "/other-help",
         "/safety-online", "/your-home-and-tenancy", "/help-when-you-cannot-speak",
         "/clares-law", "/colleagues-and-contractors", "/campaigns/", "/help-near-you",
         "/worried-about-someone", "/worried-about-your-behaviour", "/safe-spaces")
ROUTES_FILE = Path(__file__).with_name("routes.txt")


def localised(path, lang):
    return path if lang == "en" else f"/{lang}{path}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_page_is_sound(client, path, lang):
    """The client checks the page (tests/pages.py); here its language too."""
    response = client.get(localised(path, lang))
    assert response.status_code == 200
    direction = "rtl" if lang in ("ar", "ur") else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)


def test_no_url_disappears_by_accident(app):
    """Compare the routes with the committed list; update routes.txt on purpose."""
    rules = sorted(f"{rule.rule} {rule.endpoint}" for rule in app.url_map.iter_rules())
    assert rules == ROUTES_FILE.read_text().split("\n")[:-1]


def test_language_switcher_links_to_the_same_page(client):
    html = client.get("/cy/safety-online").get_data(as_text=True)
    assert 'href="/safety-online" lang="en"' in html
    assert 'href="/ar/safety-online" lang="ar" dir="rtl"' in html
    assert ">Cymraeg</a>" in html and ">العربية</a>" in html


def test_language_comes_from_the_url_only(client):
    response = client.get("/", headers={"Accept-Language": "cy", "Cookie": "lang=ar"})
    assert '<html lang="en"' in response.get_data(as_text=True)


def test_visitors_own_browser_comes_first(client):
    samsung = ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
               "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36")
    html = client.get("/safety-online", headers={"User-Agent": samsung}).get_data(as_text=True)
    first = html.index('<details class="browser" open>')
    assert html.index("Samsung Internet") > first
    assert html.index("Samsung Internet") < html.index(">Chrome<")
    assert "This looks like the browser you are using" in html


def test_office_hours_are_grouped_and_localised(client):
    html = client.get("/ask").get_data(as_text=True)
    assert "Monday to Friday" in html and "09:00 to 17:00" in html
    assert "Saturday to Sunday" in html or "Saturday and Sunday" in html
    welsh = client.get("/cy/ask").get_data(as_text=True)
    assert "Dydd Llun" in welsh


def test_neutral_titles_and_favicon(make_app):
    client = make_app(SITE={"neutral_titles": True, "neutral_title": "Recipes"}).test_client()
    html = client.get("/safety-online").get_data(as_text=True)
    assert "<title>Recipes</title>" in html
    assert "neutral.svg" in html and "door.svg" not in html
    assert "Northgate" not in html


def test_health_answers_without_detail(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
