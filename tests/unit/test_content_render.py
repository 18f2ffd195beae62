"""Markdown to safe HTML: whatever a file holds, nothing unsafe comes out."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.content.render import dial, fill, localise, markdown

LANGUAGES = ("en", "cy", "ar")
HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))", "[x](data:text/html,<b>)", "![x](https://evil.example/t.png)",
    "![x](//evil.example/t.png)", "<iframe src=/x></iframe>", '<a href="/x" onclick="e()">x</a>',
    "<style>body{}</style>", "<svg onload=alert(1)>", "[x](vbscript:msgbox)", "<form action=/x>",
    '<p style="color:red">x</p>', "<link rel=stylesheet href=//e/x.css>", "[x]( javascript:a)",
]
UNSAFE = re.compile(r"<script|<iframe|<style|<svg|<form|<link|\son[a-z]+=|javascript:|vbscript:"
                    r"|data:|style=|src=\"(https?:)?//", re.I)


def unsafe(html: str) -> list[str]:
    """Tags that could run code or load from elsewhere (text may say anything)."""
    return [tag for tag in re.findall(r"<[^>]+>", html) if UNSAFE.search(tag)]


def test_hostile_html_and_links_are_removed_and_reported():
    for snippet in HOSTILE:
        rendered = markdown(f"Intro\n\n{snippet}\n", first_line=5)
        assert not unsafe(rendered.html), (snippet, rendered.html)
        assert rendered.removed, f"{snippet} should be reported"
        assert rendered.removed[0][0] == 7  # the line in the file


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=8))
def test_nothing_unsafe_ever_comes_out(pieces):
    assert not unsafe(markdown("\n".join(pieces)).html)


def test_links_in_the_site_are_recorded_and_follow_the_language():
    rendered = markdown("[Ask](/ask) and [home](/) and [file](/static/img/door.svg) and "
                        "[Welsh](/cy/ask) and [out](https://example.org)", first_line=3)
    assert rendered.links == [(3, "/ask"), (3, "/"), (3, "/static/img/door.svg"), (3, "/cy/ask")]
    welsh = localise(rendered.html, "cy", LANGUAGES)
    assert 'href="/cy/ask"' in welsh and 'href="/cy/"' in welsh
    assert 'href="/static/img/door.svg"' in welsh and 'href="/cy/cy/ask"' not in welsh
    assert 'href="https://example.org"' in welsh
    assert localise(rendered.html, "en", LANGUAGES) == rendered.html


def test_placeholders_take_the_landlords_values_escaped():
    values = {"team": "Safety & <Support>", "team_phone": "0808 157 0192"}
    filled = fill("<p>The {team} on {team_phone}. {unknown}</p>", values)
    assert "<bdi>Safety &amp; &lt;Support&gt;</bdi>" in filled
    assert '<a class="tel" href="tel:08081570192" dir="ltr">0808 157 0192</a>' in filled
    assert "{unknown}" in filled


def test_phone_numbers_become_tap_to_call_outside_links_only():
    html = dial('<p>Call 999 or 0808 2000 247. <a href="/x">0800 1111</a> in 2026.</p>')
    assert '<a class="tel" href="tel:999" dir="ltr">999</a>' in html
    assert 'href="tel:08082000247"' in html
    assert '<a href="/x">0800 1111</a>' in html and "in 2026" in html


def test_a_first_level_heading_becomes_a_section():
    assert "<h2>Sections</h2>" in markdown("# Sections").html
