"""What every HTML page must get right, checked on every page the test client
fetches (``CheckedClient`` in tests/conftest.py), after GOV.UK Notify's
``client_request``.

``problems(html, ...)`` lists what is wrong with a page, as plain sentences;
``check_response(response, app)`` raises an ``AssertionError`` naming the
page and every problem. The rules:

- the HTML parses strictly: a doctype first; one ``<html>``, ``<head>`` and
  ``<body>``; every element that is not void is closed, in order, by its own
  end tag; no ``<div/>`` (the slash does not close it), no ``</br>``, no
  duplicated attribute; no block inside a ``<p>`` (a browser would close the
  ``<p>`` early), no form in a form, nothing interactive in a link or button,
  and list items, table cells, options, legends and summaries in their parents;
- exactly one ``<h1>``, and the ``<title>`` starts with its text (after the
  translated "Error:" when the page shows an error summary); with neutral
  titles on, the title is the neutral one;
- ids are unique, and every id a label, an ``aria-…`` attribute or a
  ``#fragment`` link names is on the page (an error summary links to fields);
- every ``<form>`` has an action, and every POST form a hidden CSRF token
  (``csrf_token``, or a prefixed name such as ``attempt-csrf_token``); no GET
  form has one (it would end up in the address, the history and the logs);
- no inline script (a ``<script>`` without ``src``, with a body, an ``on…``
  attribute, a ``javascript:`` URL); scripts only from ``/static/``;
- nothing loaded from another origin (or a ``data:`` URL); no ``style=``
  attribute; an inline ``<style>`` only if the CSP allows its hash;
- public pages: the quick exit is the first link (``id="quick-exit"``,
  ``href="/exit"``), and 999 and 55 are in the text. Staff pages (paths under
  /staff/, and every page of a staff-only instance) show neither.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from html.parser import HTMLParser

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
# Elements that end an open <p> in a browser: one inside a <p> splits the page.
CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "details", "dialog", "div",
                      "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
                      "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu", "nav",
                      "ol", "p", "pre", "section", "summary", "table", "ul"})
# Every element of HTML now (custom elements have a hyphen): anything else is a typo.
ELEMENTS = VOID | CLOSES_P | frozenset({
    "a", "abbr", "audio", "b", "bdi", "bdo", "body", "button", "canvas", "caption", "cite",
    "code", "colgroup", "data", "datalist", "dd", "del", "dfn", "dt", "em", "head", "html",
    "i", "iframe", "ins", "kbd", "label", "legend", "li", "map", "mark", "math", "meter",
    "noscript", "object", "optgroup", "option", "output", "picture", "progress", "q", "rp",
    "rt", "ruby", "s", "samp", "script", "search", "select", "slot", "small", "span", "strong",
    "style", "sub", "sup", "svg", "tbody", "td", "template", "textarea", "tfoot", "th", "thead",
    "time", "title", "tr", "u", "var", "video"})
INTERACTIVE = frozenset({"a", "button", "select", "textarea", "details", "iframe", "label"})
PARENTS = {
    "li": {"ul", "ol", "menu"},
    "dt": {"dl", "div"},
    "dd": {"dl", "div"},
    "option": {"select", "optgroup", "datalist"},
    "optgroup": {"select"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "caption": {"table"},
    "legend": {"fieldset"},
    "summary": {"details"},
    "head": {"html"},
    "body": {"html"},
    "title": {"head"},
    "meta": {"head"},
    "link": {"head"},
    "style": {"head"},
}
# Elements that fetch what their URL attributes name, and those attributes.
LOADERS = frozenset({"script", "img", "link", "iframe", "source", "video", "audio", "form",
                     "embed", "object", "track", "input", "button", "base"})
URL_ATTRIBUTES = ("src", "href", "action", "formaction", "srcset", "poster", "data")
ELSEWHERE = re.compile(r"^\s*(//|[a-z][a-z0-9+.-]*:)", re.I)
CSS_ELSEWHERE = re.compile(r"@import|url\(\s*['\"]?\s*(//|[a-z][a-z0-9+.-]*:)", re.I)
CSRF_NAME = re.compile(r"^(?:[\w.]+-)?csrf_token$")
REDIRECTS = frozenset({301, 302, 303, 305, 307, 308})


def words(text: str) -> str:
    return " ".join(text.split())


# What inline SVG may hold here (drawings made on the server; no script, no
# foreignObject, no links out).
SVG = frozenset({"g", "line", "rect", "circle", "path", "polyline", "polygon", "text", "tspan",
                 "title", "desc", "defs", "clipPath", "clippath", "ellipse"})


class Page(HTMLParser):
    """One pass over a page: its tags, text, headings, forms and what is
    wrong with its markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.problems: list[str] = []
        self.open: list[tuple[str, int]] = []  # (tag, line) of each open element
        self.h1s: list[str] = []
        self.title = ""
        self.text: list[str] = []
        self.styles: list[str] = []
        self.forms: list[dict] = []
        self.doctype = False
        self.started = False  # any element or text seen yet
        self.finished = False  # </html> seen

    # -- the parser's callbacks

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.problem(f"<!{decl}> is not the HTML doctype")
        elif self.started or self.doctype:
            self.problem("the doctype must come first, once")
        self.doctype = True
        self.started = True

    def unknown_decl(self, data):
        self.problem(f"<![{data}]> is not HTML")

    def handle_pi(self, data):
        self.problem(f"<?{data}> is not HTML")

    def in_svg(self) -> bool:
        """Inside inline SVG: foreign content, where XML's rules hold
        (``<line/>`` closes itself, ``<title>`` names the drawing)."""
        return any(name == "svg" for name, _ in self.open)

    def handle_startendtag(self, tag, attrs):
        if self.in_svg():
            self.handle_starttag(tag, attrs, push=False)
            return
        if tag not in VOID:
            self.problem(f"<{tag}/> does not close itself in HTML: write <{tag}></{tag}>")
        self.handle_starttag(tag, attrs, push=False)

    def handle_starttag(self, tag, attrs, push=True):
        if not self.doctype and not self.started:
            self.problem("no <!doctype html> first")
        self.started = True
        names = [name for name, _ in attrs]
        for name, count in Counter(names).items():
            if count > 1:
                self.problem(f"<{tag}> has the attribute {name} {count} times")
        attrs = {name: (value or "") for name, value in attrs}
        self.tags.append((tag, attrs))
        if self.in_svg():
            if tag not in SVG:
                self.problem(f"<{tag}> on line {self.getpos()[0]} is not an SVG element")
            if push:
                self.open.append((tag, self.getpos()[0]))
            return
        if tag not in ELEMENTS and "-" not in tag:
            self.problem(f"<{tag}> on line {self.getpos()[0]} is not an HTML element")
        self.nesting(tag, attrs)
        if tag == "h1":
            self.h1s.append("")
        if tag == "style":
            self.styles.append("")
        if tag == "form":
            self.forms.append({"attrs": attrs, "line": self.getpos()[0], "csrf": False})
        if tag == "input" and self.inside("form"):
            form = self.forms[-1]
            if (attrs.get("type", "").lower() == "hidden" and CSRF_NAME.match(attrs.get("name", ""))
                    and attrs.get("value")):
                form["csrf"] = True
        if tag not in VOID and push:
            self.open.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in VOID:
            self.problem(f"</{tag}> on line {line}: <{tag}> has no end tag")
            return
        if not self.open:
            self.problem(f"</{tag}> on line {line} closes nothing")
            return
        top, opened = self.open[-1]
        if top == tag:
            self.open.pop()
            if tag == "html":
                self.finished = True
            return
        if any(name == tag for name, _ in self.open):
            self.problem(f"</{tag}> on line {line} while <{top}> from line {opened} is open")
            while self.open.pop()[0] != tag:
                pass
        else:
            self.problem(f"</{tag}> on line {line} closes nothing: <{top}> from line "
                         f"{opened} is open")

    def handle_data(self, data):
        if not data.strip():
            return
        if not self.started or self.finished:
            self.problem(f"text outside <html>: {data.strip()[:40]!r}")
        self.started = True
        here = self.open[-1][0] if self.open else ""
        if here == "style":
            self.styles[-1] += data
            return
        if here == "script":
            self.problem("an inline script: a <script> with a body")
            return
        if self.inside("title") and not self.in_svg():
            self.title += data
            return
        if here in ("html", "head"):
            self.problem(f"text directly in <{here}>: {data.strip()[:40]!r}")
        if self.inside("h1") and self.h1s:
            self.h1s[-1] += data
        self.text.append(data)

    def close(self):
        super().close()
        for tag, line in self.open:
            self.problem(f"<{tag}> from line {line} is never closed")
        for tag in ("html", "head", "body"):
            count = sum(1 for name, _ in self.tags if name == tag)
            if count != 1:
                self.problem(f"{count} <{tag}> elements, not one")

    # -- helpers

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def inside(self, tag: str) -> bool:
        return any(name == tag for name, _ in self.open)

    def nesting(self, tag: str, attrs: dict) -> None:
        line = self.getpos()[0]
        parent = self.open[-1][0] if self.open else None
        if tag == "html" and (self.open or self.finished):
            self.problem(f"<html> on line {line} inside another element")
        elif tag != "html" and not self.open:
            self.problem(f"<{tag}> on line {line} is outside <html>")
        if tag in PARENTS and parent not in PARENTS[tag]:
            self.problem(f"<{tag}> on line {line} is inside <{parent}>, "
                         f"not {' or '.join(f'<{p}>' for p in sorted(PARENTS[tag]))}")
        if tag in CLOSES_P and self.inside("p"):
            self.problem(f"<{tag}> on line {line} is inside a <p>, which it would end")
        if tag == "form" and self.inside("form"):
            self.problem(f"a form inside a form, on line {line}")
        interactive = tag in INTERACTIVE or (tag == "input" and attrs.get("type") != "hidden")
        for outer in ("a", "button"):
            if interactive and self.inside(outer):
                self.problem(f"<{tag}> on line {line} is inside <{outer}>")


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def problems(html: str, *, csp: str | None, staff: bool = False,
             neutral_title: str | None = None, error_prefix: str = "Error:",
             page: Page | None = None, journey_title: str | None = None) -> list[str]:
    """What is wrong with a page. ``staff``: a staff page (no quick exit, no
    999); ``neutral_title``: the title every public page must have instead of
    its own; ``error_prefix``: "Error:" in the page's language; ``page``: the
    page already parsed; ``journey_title``: for a page at a journey's one
    address, the journey's name, which its title must be (the history list
    keeps every address with its title, so it says nothing of the answers;
    the <h1> says the question)."""
    page = page or parse(html)
    found = list(page.problems)

    if len(page.h1s) != 1:
        found.append(f"{len(page.h1s)} <h1> elements, not exactly one")
    else:
        h1, title = words(page.h1s[0]), words(page.title)
        if not h1:
            found.append("the <h1> is empty")
        if neutral_title is not None and not staff:
            if title != neutral_title:
                found.append(f"the title {title!r} is not the neutral title {neutral_title!r}")
        else:
            shows_errors = any(attrs.get("role") == "alert" for _, attrs in page.tags)
            if shows_errors and title.startswith(error_prefix + " "):
                title = title.removeprefix(error_prefix + " ")
            if journey_title is not None:
                if not title.startswith(journey_title):
                    found.append(f"the title {title!r} of a journey page is not the journey's "
                                 f"name {journey_title!r}")
                if h1 == journey_title:
                    found.append("a journey page's <h1> must say what the page asks")
            elif not title.startswith(h1):
                found.append(f"the title {title!r} does not start with the <h1> {h1!r}")

    ids = Counter(attrs["id"] for _, attrs in page.tags if "id" in attrs)
    found += [f'id="{name}" is used {count} times' for name, count in ids.items() if count > 1]
    for tag, attrs in page.tags:
        named = [attrs["for"]] if tag == "label" and "for" in attrs else []
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            named += attrs.get(name, "").split()
        if tag == "a" and attrs.get("href", "").startswith("#") and attrs["href"] != "#":
            named.append(attrs["href"][1:])
        found += [f'<{tag}> names id="{name}", which is not on the page'
                  for name in named if name not in ids]

    for form in page.forms:
        attrs, line = form["attrs"], form["line"]
        if not attrs.get("action", "").strip():
            found.append(f"the form on line {line} has no action")
        if attrs.get("method", "get").lower() == "post":
            if not form["csrf"]:
                found.append(f"the POST form on line {line} has no CSRF token")
        elif form["csrf"]:
            found.append(f"the GET form on line {line} would put its CSRF token in the address")

    allowed_styles: list[str] = []
    if csp is None:
        found.append("no Content-Security-Policy header")
    else:
        match = re.search(r"style-src ([^;]*)", csp)
        allowed_styles = match.group(1).split() if match else []
    for style in page.styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        if f"'sha256-{digest}'" not in allowed_styles:
            found.append("an inline <style> whose hash the CSP does not allow")
        if CSS_ELSEWHERE.search(style):
            found.append("an inline <style> loads from another origin")

    for tag, attrs in page.tags:
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            found.append(f"<script src={attrs.get('src')!r}>: scripts are files in /static/")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=…>: an inline script")
            if name in URL_ATTRIBUTES and re.match(r"^\s*javascript:", value, re.I):
                found.append(f"<{tag} {name}={value!r}>: an inline script")
        if tag in LOADERS:
            for name in URL_ATTRIBUTES:
                urls = [part.split()[0] for part in attrs.get(name, "").split(",")
                        if part.strip()] if name == "srcset" else [attrs.get(name, "")]
                for url in urls:
                    if ELSEWHERE.match(url):
                        found.append(f"<{tag} {name}={url!r}> loads from another origin")
        if "style" in attrs:
            found.append(f"<{tag} style=…>: the CSP blocks inline style attributes")

    text = " ".join(page.text)
    if not staff:
        first_link = next((attrs for tag, attrs in page.tags if tag == "a"), None)
        if not first_link or first_link.get("id") != "quick-exit":
            found.append('the first link is not the quick exit (id="quick-exit")')
        elif first_link.get("href") != "/exit":
            found.append(f"the quick exit goes to {first_link.get('href')!r}, not /exit")
        if "999" not in text or "55" not in text:
            found.append("999 and 55 (emergency help) are not on the page")
    return found


def is_page(response) -> bool:
    """A final HTML page: not a redirect, not empty, not JSON, CSV or text."""
    return (response.mimetype == "text/html" and response.status_code not in REDIRECTS
            and response.status_code not in (204, 304)
            and response.request.method != "HEAD")


def is_staff_page(app, path: str) -> bool:
    return "public" not in app.blueprints or path.startswith("/staff/")


def error_prefix(app, lang: str) -> str:
    """"Error:", as the page's language says it."""
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"), force_locale(lang or "en"):
        return str(gettext("Error:"))


# Every page of a journey after its start page is at one address; its title is
# the journey's name, the start page's <h1> (webapp/referrals/journeys.py).
# The way back's pages share one address, /return, and one name too.
JOURNEY_ADDRESS = re.compile(
    r"^(?:/(?P<lang>[a-z]{2}))?/(?:(?P<journey>ask|concern)/questions|(?P<way_back>return))$")
JOURNEY_NAMES = {"ask": "Ask for help for yourself", "concern": "Worried about someone else",
                 "return": "Come back to a request"}


def journey_name(path: str) -> str | None:
    """The journey's name in the page's language, for a journey page's address."""
    found = JOURNEY_ADDRESS.match(path)
    if not found:
        return None
    name = JOURNEY_NAMES[found["journey"] or found["way_back"]]
    if not found["lang"]:
        return name
    from babel.support import Translations

    from webapp.i18n import TRANSLATIONS_DIR

    return words(Translations.load(TRANSLATIONS_DIR, [found["lang"]]).gettext(name))


def check_response(response, app) -> Page:
    """Assert the response is a sound page; return it parsed."""
    html = response.get_data(as_text=True)
    path = response.request.path
    page = parse(html)
    prefix = "Error:"
    if 'role="alert"' in html:
        lang = next((attrs.get("lang", "") for tag, attrs in page.tags if tag == "html"), "")
        prefix = error_prefix(app, lang)
    site = app.config["SITE"]
    journey = journey_name(path)
    if response.status_code >= 400 and 'name="step"' not in html and 'name="go"' not in html:
        # An error page (413, 429, 503...) a journey's address can answer with;
        # not the way back's own answers (a wrong passphrase, shut), which are
        # its pages, with its forms and its one title.
        journey = None
    found = problems(
        html, csp=response.headers.get("Content-Security-Policy"),
        staff=is_staff_page(app, path),
        neutral_title=site.neutral_title if site.neutral_titles else None,
        error_prefix=prefix, page=page, journey_title=journey)
    if found:
        raise AssertionError(
            f"{response.request.method} {path} ({response.status_code}) is not a sound page "
            "(tests/pages.py; opt out with check=False only for what is not a page):\n- "
            + "\n- ".join(found))
    return page
