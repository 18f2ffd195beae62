"""The page checker (tests/pages.py) finds what it says it finds: a check that
cannot fail checks nothing."""

import base64
import hashlib

import pytest

from tests.pages import problems

STYLE = ":root{--brand:#1d4f91;--on-brand:#fff}"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' "
       f"'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'")

GOOD = f"""
<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<title>Ask for help – Northgate Homes</title>
<link rel="icon" href="/static/img/door.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/site.css">
<style>{STYLE}</style>
</head>
<body>
<nav class="exit-bar"><a id="quick-exit" href="/exit">Leave this site now</a>
<a class="skip-link" href="#main">Skip to main content</a></nav>
<aside><h2 id="emergency">In danger now? Call 999.</h2><p>From a mobile, press 55.</p></aside>
<main id="main">
<h1>Ask for <span>help</span></h1>
<p>Call <a class="tel" href="tel:01234567890">01234 567890</a>.<br>Or carry on.</p>
<ul><li>One</li><li>Two</li></ul>
<dl><div><dt>Name</dt><dd>Alex</dd></div></dl>
<form method="get" action="/staff/find"><input type="text" name="reference"></form>
<form method="post" action="/ask/danger" novalidate>
<input id="csrf_token" name="csrf_token" type="hidden" value="IjM0ZTk">
<fieldset><legend>Are you safe?</legend>
<input type="radio" id="danger-0" name="danger" value="no" checked><label for="danger-0">No</label>
</fieldset>
<button type="submit" class="button">Continue</button>
</form>
<a href="https://www.gov.uk/">Other help</a>
</main>
<script src="/static/js/site.js"></script>
</body>
</html>
"""


def test_a_sound_page_passes():
    assert problems(GOOD, csp=CSP) == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    # Headings and title
    ("</main>", "<h1>Again</h1></main>", "2 <h1> elements"),
    ("<h1>Ask for <span>help</span></h1>", "", "0 <h1> elements"),
    ("<title>Ask for help", "<title>Help", "does not start with the <h1>"),
    ("<title>Ask for help", "<title>Error: Ask for help", "does not start with the <h1>"),
    # Ids
    ('id="danger-0"', 'id="main"', 'id="main" is used 2 times'),
    ('<label for="danger-0">', '<label for="danger-1">', '<label> names id="danger-1"'),
    ('<fieldset>', '<fieldset aria-describedby="danger-hint">', 'names id="danger-hint"'),
    ('href="#main"', 'href="#content"', '<a> names id="content"'),
    # The quick exit and 999
    ('<a id="quick-exit" href="/exit">Leave this site now</a>', "",
     "the first link is not the quick exit"),
    ('<nav class="exit-bar">', '<a href="/">Home</a><nav class="exit-bar">',
     "the first link is not the quick exit"),
    ('id="quick-exit" href="/exit"', 'id="quick-exit" href="https://www.bbc.co.uk/"',
     "the quick exit goes to"),
    ("Call 999.", "Call us.", "999 and 55"),
    ("press 55", "press the button", "999 and 55"),
    ("Call 999.", "Call us.<!-- 999 -->", "999 and 55"),  # a comment is not help
    # Forms
    ('<input id="csrf_token" name="csrf_token" type="hidden" value="IjM0ZTk">', "",
     "the POST form on line 21 has no CSRF token"),
    ('value="IjM0ZTk"', 'value=""', "no CSRF token"),
    ('name="csrf_token" type="hidden"', 'name="csrf_token" type="text"', "no CSRF token"),
    ('<input type="text" name="reference">',
     '<input type="hidden" name="csrf_token" value="IjM0ZTk"><input type="text" name="reference">',
     "would put its CSRF token in the address"),
    ('action="/ask/danger" ', "", "has no action"),
    ('action="/staff/find"', 'action=""', "has no action"),
    ('action="/ask/danger"', 'action="https://evil.example/collect"', "loads from another origin"),
    # Scripts
    ('src="/static/js/site.js"', 'src="https://cdn.example.com/site.js"',
     "scripts are files in /static/"),
    ('src="/static/js/site.js"', 'src="//cdn.example.com/site.js"', "loads from another origin"),
    ('<script src="/static/js/site.js"></script>', "<script>alert(1)</script>",
     "an inline script"),
    ("<button type", "<button onclick=\"go()\" type", "an inline script"),
    ('href="#main"', 'href="javascript:go()"', "an inline script"),
    # Other origins, styles
    ('href="/static/css/site.css"', 'href="https://fonts.example.com/css"',
     "loads from another origin"),
    ("</main>", '<img src="https://tracker.example.com/p.gif" alt=""></main>',
     "loads from another origin"),
    ("</main>", '<img srcset="/static/a.png 1x, https://cdn.example.com/b.png 2x" alt=""></main>',
     "loads from another origin"),
    ("</main>", '<img src="data:image/gif;base64,R0lG" alt=""></main>',
     "loads from another origin"),
    ('<p>Call', '<p style="color:red">Call', "the CSP blocks inline style attributes"),
    (STYLE, ":root{--brand:red}", "whose hash the CSP does not allow"),
    # Markup that does not parse as written
    ("<!doctype html>", "", "no <!doctype html> first"),
    ("</main>", "<div></main>", "</main> on line"),
    ("</ul>", "</ul></div>", "</div> on line 18 closes nothing"),
    ("<li>Two</li>", "<li>Two", "</ul> on line 18 while <li> from line 18 is open"),
    ("<p>Call", "<p><span>Call", "</p> on line 17 while <span> from line 17 is open"),
    ("</body>", "<div></body>", "</body> on line 31 while <div> from line 31 is open"),
    ("</html>", "</html><div>", "<div> from line 32 is never closed"),
    ("</main>", "<div/></main>", "<div/> does not close itself"),
    ("<br>", "</br>", "</br> on line 17"),
    ('<ul>', '<ul class="a" class="b">', "has the attribute class 2 times"),
    ("Or carry on.</p>", "Or carry on.<div>block</div></p>", "inside a <p>"),
    ("<ul><li>One</li>", "<ul><p>x</p><div><li>One</li></div>", "<li> on line 18 is inside <div>"),
    ('<form method="get"', '<form method="post" action="/x"><form method="get"',
     "a form inside a form"),
    ('Continue</button>', '<a href="/">Continue</a></button>', "<a> on line 26 is inside <button>"),
    ("</html>", "</html><p>after</p>", "outside <html>"),
    ("<body>", "<body><body>", "2 <body> elements"),
    ("<ul>", "<list>", "<list> on line 18 is not an HTML element"),
    ("</head>", "stray</head>", "text directly in <head>"),
])
def test_a_fault_is_found(old, new, expected):
    assert old in GOOD, old
    found = problems(GOOD.replace(old, new, 1), csp=CSP)
    assert any(expected in problem for problem in found), found


def test_a_prefixed_csrf_token_counts():
    page = GOOD.replace('name="csrf_token"', 'name="attempt-csrf_token"')
    assert problems(page, csp=CSP) == []


def test_no_csp_header_is_a_fault():
    assert "no Content-Security-Policy header" in problems(GOOD, csp=None)


def test_error_prefix_only_with_an_error_summary():
    erring = GOOD.replace("<title>", "<title>Gwall: ").replace(
        "<main id=\"main\">", '<main id="main"><div role="alert"><p>There is a problem</p></div>')
    assert problems(erring, csp=CSP, error_prefix="Gwall:") == []
    assert problems(erring, csp=CSP) != []  # "Error:" in English is not "Gwall:"


def test_neutral_titles():
    assert problems(GOOD.replace("Ask for help – Northgate Homes", "Recipes"), csp=CSP,
                    neutral_title="Recipes") == []
    found = problems(GOOD, csp=CSP, neutral_title="Recipes")
    assert any("is not the neutral title" in problem for problem in found), found


def test_staff_pages_need_no_quick_exit_or_999_but_the_rest_holds():
    staff = (GOOD.replace('<a id="quick-exit" href="/exit">Leave this site now</a>', "")
             .replace("Call 999.", "Queue"))
    assert problems(staff, csp=CSP, staff=True) == []
    assert problems(staff, csp=CSP) != []
    two_h1 = staff.replace("</main>", "<h1>Again</h1></main>")
    assert any("2 <h1>" in problem for problem in problems(two_h1, csp=CSP, staff=True))
