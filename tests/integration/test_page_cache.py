"""Pages that are the same for everyone are rendered once per worker
(webapp/pages.py): they must still change when the content or the day does,
never carry one visitor's state to another, and never keep a page with a form."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ASK_BY_PHONE, CSRF, Walker
from tests.content import publish
from tests.integration.test_content import campaign
from webapp.pages import PageCache

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def web(make_app, tmp_path, clock):
    from tests.integration.test_content import PAGE

    root = tmp_path / "content"
    for kind in ("pages", "campaigns"):
        (root / kind).mkdir(parents=True)
    (root / "pages" / "clares-law.en.md").write_text(PAGE)
    clock["now"] = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    app = make_app(CONTENT_DIR=str(root), CLOCK=lambda: clock["now"])
    app.extensions["content"].interval = 0
    return app, root


def test_a_page_is_rendered_once_and_served_from_memory_after(web, monkeypatch):
    app, _ = web
    client = app.test_client()
    first = client.get("/cy/").get_data()
    renders = []
    monkeypatch.setattr("webapp.public.routes.render_template",
                        lambda *a, **k: renders.append(a) or "changed")
    assert client.get("/cy/").get_data() == first
    assert renders == []
    # Another address, another page (the stand-in render is not a page to check).
    assert client.get("/pl/", check=False).get_data() == b"changed"


def test_a_content_change_shows_on_the_next_request(web):
    app, root = web
    client = app.test_client()
    assert "Clare" in client.get("/").get_data(as_text=True)
    (root / "pages" / "clares-law.en.md").write_text(
        (root / "pages" / "clares-law.en.md").read_text().replace("Clare's Law", "Ask the police"))
    publish(app)
    assert "Ask the police" in client.get("/").get_data(as_text=True)
    assert "Ask the police" in client.get("/clares-law").get_data(as_text=True)


def test_a_campaign_starts_at_midnight_uk_time_on_cached_pages(web, clock):
    app, root = web
    campaign(root, start="2026-11-26", end="2026-11-30")
    publish(app)
    client = app.test_client()
    assert "Safe at Home Week" not in client.get("/").get_data(as_text=True)
    assert "Safe at Home Week" not in client.get("/campaigns/").get_data(as_text=True)
    clock["now"] = datetime(2026, 11, 26, 0, 0, 30, tzinfo=UTC)
    assert "Safe at Home Week" in client.get("/").get_data(as_text=True)
    assert "Safe at Home Week" in client.get("/campaigns/").get_data(as_text=True)
    clock["now"] += timedelta(days=5)
    assert "Safe at Home Week" not in client.get("/").get_data(as_text=True)


def test_each_browser_gets_its_own_steps_first(app):
    client = app.test_client()
    for _ in range(2):  # the second time round, from memory
        for agent, first, told in ((FIREFOX, "Firefox", True), (CHROME, "Chrome", True),
                                   ("curl/8", "Chrome", False)):
            html = client.get("/safety-online",
                              headers={"User-Agent": agent}).get_data(as_text=True)
            assert re.findall(r'<span class="browser-name">([^<]+)</span>', html)[0] == first
            assert ("This looks like the browser you are using" in html) is told, agent


def test_a_visitor_part_way_through_and_a_stranger_get_the_same_page_and_no_cookie(
        app, migrated):
    resident, stranger = app.test_client(), app.test_client()
    Walker(resident).walk("/ask", ASK_BY_PHONE[:3])  # a draft, and its session cookie
    assert resident.get_cookie("session") is not None
    with resident.session_transaction() as session:  # and a message waiting for them
        session["_flashes"] = [("message", "Your answers were cleared")]
    for path in ("/", "/cy/safety-online", "/campaigns/", "/recognising-abuse"):
        seen, fresh = resident.get(path), stranger.get(path)
        assert seen.status_code == fresh.status_code == 200
        assert seen.get_data() == fresh.get_data(), path
        assert b"Your answers were cleared" not in seen.get_data()
        assert not fresh.headers.getlist("Set-Cookie")


def test_pages_with_a_form_are_never_kept(app):
    first = app.test_client().get("/ask/questions").get_data(as_text=True)
    second = app.test_client().get("/ask/questions").get_data(as_text=True)
    assert CSRF.search(first).group(1) != CSRF.search(second).group(1)
    assert len(app.extensions["pages"]) == 0


def test_an_address_that_is_not_found_is_not_kept_and_can_appear_later(web):
    app, root = web
    client = app.test_client()
    assert client.get("/new-page").status_code == 404
    (root / "pages" / "new-page.en.md").write_text("---\ntitle: New\nsummary: New.\n---\nNew.\n")
    publish(app)
    assert client.get("/new-page").status_code == 200
    assert len(app.extensions["pages"]) == 1


def test_the_cache_keeps_only_the_most_recent_pages():
    cache = PageCache(size=3)
    for n in range(5):
        cache.get(n, lambda n=n: f"page {n}")
    assert len(cache) == 3
    assert cache.get(4, lambda: "again") == b"page 4"
    assert cache.get(0, lambda: "again") == b"again"  # the oldest went first


def test_a_change_that_lands_during_a_render_is_never_hidden(web, monkeypatch):
    """The library reads the serial at most once a second; if it moves between
    looking a page up and keeping it, the old text must not be kept under
    the new version (it would then stay until midnight)."""
    app, root = web
    library = app.extensions["content"]
    path = root / "pages" / "clares-law.en.md"
    found = library.find
    edits = []

    def find_then_edit(*args):
        doc = found(*args)
        if not edits:  # the comms team saves a fix just after this lookup
            edits.append(path.write_text(path.read_text().replace("ask the police", "ask us")))
            publish(app)
        return doc

    monkeypatch.setattr(library, "find", find_then_edit)
    client = app.test_client()
    client.get("/clares-law")
    assert "You can ask us" in client.get("/clares-law").get_data(as_text=True)
