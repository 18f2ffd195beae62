"""Pages and campaigns as published in the database (written as files here,
then published: tests/content.py): dates, banners, languages, changes
without a restart, broken versions left out, the check, and the staff
preview."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.content import migrate, publish
from tests.staff import add_officer, sign_in

CAMPAIGN = """---
title: Safe at Home Week
summary: A week about staying safe at home.
publish_from: {start}
publish_until: {end}
banner: "Safe at Home Week: read what we can do"
---
## What we are doing

Read [what we can do](/what-we-can-do) or [ask for help](/ask). Call {{team_phone}}.
"""
PAGE = """---
title: Clare's Law
summary: The right to ask.
order: 5
---
## The right to ask

You can ask the police. Call 101.
"""


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    for kind in ("pages", "campaigns"):
        (root / kind).mkdir(parents=True)
    (root / "pages" / "what-we-can-do.en.md").write_text(
        "---\ntitle: What we can do\nsummary: Help.\norder: 1\n---\nWe can help.\n")
    (root / "pages" / "clares-law.en.md").write_text(PAGE)
    return root


@pytest.fixture
def web(make_app, content, clock):
    clock["now"] = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    app = make_app(CONTENT_DIR=str(content), CLOCK=lambda: clock["now"])
    migrate(app)  # the folder is what is published
    app.extensions["content"].interval = 0  # see every change at once
    return app


def campaign(content, start="2026-11-25", end="2026-11-30", lang="en", text=CAMPAIGN, slug="safe"):
    path = content / "campaigns" / f"{slug}.{lang}.md"
    path.write_text(text.format(start=start, end=end))
    return path


def test_a_campaign_appears_without_a_restart_and_goes_after_its_last_day(web, content, clock):
    client = web.test_client()
    assert "Safe at Home Week" not in client.get("/").get_data(as_text=True)
    assert client.get("/campaigns/safe").status_code == 404
    campaign(content)
    publish(web)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/campaigns/safe">Safe at Home Week: read what we can do</a>' in home
    page = client.get("/campaigns/safe").get_data(as_text=True)
    assert "<h1>Safe at Home Week</h1>" in page
    assert 'href="tel:08081570192"' in page  # the landlord's number, tap to call
    assert "Safe at Home Week" in client.get("/campaigns/").get_data(as_text=True)
    clock["now"] = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)  # the last day, still live
    assert client.get("/campaigns/safe").status_code == 200
    clock["now"] += timedelta(minutes=2)  # 1 December
    assert client.get("/campaigns/safe").status_code == 404
    assert "Safe at Home Week" not in client.get("/").get_data(as_text=True)
    assert "Safe at Home Week" not in client.get("/campaigns/").get_data(as_text=True)


def test_ending_it_early_takes_it_down(web, content):
    client = web.test_client()
    campaign(content)
    publish(web)
    assert client.get("/campaigns/safe").status_code == 200
    campaign(content, start="2026-11-01", end="2026-11-24")
    publish(web)
    assert client.get("/campaigns/safe").status_code == 404


def test_a_language_without_a_translation_falls_back_to_english_with_a_note(web, content):
    campaign(content)
    publish(web)
    client = web.test_client()
    page = client.get("/cy/campaigns/safe").get_data(as_text=True)
    assert '<article lang="en" dir="ltr" class="prose">' in page
    assert "Dydy’r dudalen hon ddim wedi’i chyfieithu eto" in page  # the note, in Welsh
    assert 'href="/cy/ask"' in page  # links stay in Welsh
    assert "Safe at Home Week" not in client.get("/cy/").get_data(as_text=True)  # no banner
    campaign(content, lang="cy", text=CAMPAIGN.replace("Safe at Home Week", "Wythnos Diogel"))
    publish(web)
    welsh = client.get("/cy/campaigns/safe").get_data(as_text=True)
    assert "<h1>Wythnos Diogel</h1>" in welsh and '<article class="prose">' in welsh
    assert "Wythnos Diogel" in client.get("/cy/").get_data(as_text=True)


def test_pages_are_listed_by_order_and_served_in_the_language(web):
    client = web.test_client()
    home = client.get("/").get_data(as_text=True)
    assert home.index("What we can do") < home.index("Clare&#39;s Law")
    assert client.get("/clares-law").status_code == 200
    assert client.get("/ar/clares-law").status_code == 200
    assert client.get("/no-such-page").status_code == 404


def test_script_and_javascript_links_never_reach_the_browser(web, content, caplog):
    hostile = CAMPAIGN + '\n<script>alert(1)</script>\n\n[win](javascript:alert(1))\n'
    campaign(content, text=hostile)
    publish(web)  # as a database changed behind the site's back could hold it
    caplog.set_level(logging.ERROR)
    response = web.test_client().get("/campaigns/safe")
    assert response.status_code == 404  # the file is left out, not half-shown
    assert "safe.en.md" in caplog.text and "unsafe" in caplog.text
    assert "alert" not in caplog.text  # the log names the file, never its content


def test_a_broken_file_never_takes_the_site_down(web, content, caplog):
    campaign(content, start="2026-12-01", end="2026-11-01")
    (content / "pages" / "broken.en.md").write_text("no front matter at all")
    (content / "pages" / "bad-yaml.en.md").write_bytes(b"---\ntitle: [unclosed\n---\n\xff")
    publish(web)
    client = web.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/clares-law").status_code == 200
    assert client.get("/broken").status_code == 404


def run_check(app):
    return app.test_cli_runner().invoke(args=["content", "check"])


def test_the_check_names_the_file_and_line_and_fails(web, content):
    assert run_check(web).exit_code == 0
    path = campaign(content, start="2026-12-01", end="2026-11-01")
    result = run_check(web)
    assert result.exit_code == 1
    assert f"content/campaigns/{path.name}:5: publish_until (2026-11-01) is before " \
           "publish_from (2026-12-01)" in result.output


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("title: x\n", 1, "front matter"),
    ("---\ntitle: x\n---\n", 2, "summary is missing"),
    ("---\ntitle: x\nsummary: y\norder: first\n---\n", 4, "order must be a whole number"),
    ("---\ntitle: x\nsummary: y\ncolour: red\n---\n", 4, "unknown field 'colour'"),
    ("---\ntitle: x\nsummary: y\n---\nSee [this](/nowhere).\n", 5, "/nowhere goes to no page"),
    ("---\ntitle: x\nsummary: y\n---\nSee [that](/campaigns/gone).\n", 5, "goes to no campaign"),
    ("---\ntitle: x\nsummary: y\n---\nok\n\n<script>x</script>\n", 7, "unsafe"),
    ("---\ntitle: x\nsummary: y\n---\nHi {name}\n", 5, "unknown placeholder(s) {name}"),
])
def test_the_check_finds_each_kind_of_problem(web, content, text, line, problem):
    (content / "pages" / "new-page.en.md").write_text(text)
    result = run_check(web)
    assert result.exit_code == 1
    assert f"content/pages/new-page.en.md:{line}: " in result.output
    assert problem in result.output


def test_the_check_warns_of_missing_translations_and_strict_fails_on_them(web, content):
    campaign(content)
    result = run_check(web)
    assert result.exit_code == 0
    assert "safe.en.md:1: no cy translation (safe.cy.md)" in result.output
    strict = web.test_cli_runner().invoke(args=["content", "check", "--strict"])
    assert strict.exit_code == 1


def test_the_shipped_content_passes_the_check(make_app):
    result = run_check(make_app())
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output


def test_comms_staff_preview_a_campaign_before_it_starts(web, content, clock):
    campaign(content, start="2027-03-01", end="2027-03-07")
    publish(web)
    add_officer(web, "comms@example.org", clock, role="comms")
    add_officer(web, "officer@example.org", clock)
    comms, officer = web.test_client(), web.test_client()
    sign_in(web, comms, clock, email="comms@example.org")
    sign_in(web, officer, clock, email="officer@example.org")
    assert web.test_client().get("/campaigns/safe").status_code == 404
    listing = comms.get("/staff/content/").get_data(as_text=True)
    assert "Safe at Home Week" in listing and "Scheduled" in listing
    preview = comms.get("/staff/content/campaigns/safe/en/preview")
    assert preview.status_code == 200
    assert "A preview for staff" in preview.get_data(as_text=True)
    assert officer.get("/staff/content/campaigns/safe/en/preview").status_code == 403
    assert web.test_client().get("/staff/content/campaigns/safe/en/preview").status_code == 302


def test_content_files_live_where_the_docs_say(make_app):
    app = make_app()
    assert Path(app.extensions["content_files"].root).name == "content"


def test_a_date_that_does_not_exist_leaves_the_file_out_and_the_site_up(web, content):
    campaign(content, start="2026-11-25", end="2026-11-31")
    publish(web)
    client = web.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page").status_code == 404  # the error page still renders
    assert "Leave this site now" in client.get("/no-such-page").get_data(as_text=True)
    result = run_check(web)
    assert result.exit_code == 1
    assert "content/campaigns/safe.en.md:2: the front matter holds a value that cannot be " \
           "read" in result.output


def test_an_address_that_leaves_the_site_in_disguise_is_refused(web, content):
    (content / "pages" / "sneaky.en.md").write_text(
        '---\ntitle: x\nsummary: y\n---\nok\n\n<a href="/\\evil.example">x</a>\n')
    result = run_check(web)
    assert result.exit_code == 1 and "sneaky.en.md:7:" in result.output
