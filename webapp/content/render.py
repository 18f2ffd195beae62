"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

What the comms team writes may hold raw HTML or odd links by mistake (or
pasted from elsewhere). Nothing unsafe reaches the browser: no script, no
event handler, no ``javascript:`` or ``data:`` link, no image or link that
loads from another origin. ``markdown`` also reports, by line, what it had to
remove, so that ``content check`` can name it. No Flask here.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "blockquote",
    "br",
    "hr",
    "code",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
# No style attributes: the CSP allows no inline style (table alignment is lost).
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
SCHEMES = {"https", "http", "mailto", "tel"}
PLACEHOLDERS = (
    "organisation",
    "team",
    "team_phone",
    "helpline_name",
    "helpline_phone",
    "promise",
)
SENTENCES = ("promise",)  # placeholders that stand for a whole sentence, not a name
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
NOT_LOCALISED = ("/static/", "/exit", "/health", "/staff")

_md = MarkdownIt("commonmark", {"html": True}).enable("table")
_md.validateLink = lambda url: True  # we judge links ourselves, below, and report them


@dataclass
class Rendered:
    html: str
    links: list[tuple[int, str]] = field(default_factory=list)  # internal paths
    removed: list[tuple[int, str]] = field(default_factory=list)


def premium_rate(number: str) -> bool:
    """A UK premium-rate number (09..., or 118 directory enquiries): a call
    costs pounds a minute. The phone field of a service refuses them too.
    Read as a phone dials it: full-width digits as digits, every separator
    dropped ("/" too), and the prefixes that hide or show the caller's
    number (141, 1470) skipped, since the network dials what follows."""
    compact = unicodedata.normalize("NFKC", number).replace("(0)", "")  # +44 (0)906...
    compact = re.sub(r"[^0-9+]", "", compact)
    for prefix in ("1470", "141"):
        if compact.startswith(prefix) and len(compact) > len(prefix) + 3:
            compact = compact[len(prefix) :]
    for international in ("+44", "0044"):
        if compact.startswith(international):
            compact = "0" + compact[len(international) :]
    return compact.startswith(("09", "118"))


PREMIUM_RATE = "a premium-rate number: give the free or local one"


def link_problem(url: str, image: bool) -> str | None:
    """Why a link or image address is refused; None when it is fine."""
    url = url.strip()
    if "\\" in url or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return f"{url[:60]!r} (an address with a backslash or a control character)"
    if url.startswith("//"):
        return f"{url[:60]} (another website, written without https:)"
    if image:  # loaded by itself: only a file, never an address that acts (/exit)
        path = unquote(urlsplit(url).path)
        segments = path.split("/")
        if url.startswith("/static/") and not {".", ".."}.intersection(segments):
            return None
        return f"{url[:60]} (images must come from this site's /static/ folder)"
    if url.startswith(("/", "#")):
        return None
    scheme = urlsplit(url).scheme.lower()
    if scheme == "tel" and premium_rate(unquote(urlsplit(url).path)):
        return f"{url[:60]} ({PREMIUM_RATE})"
    if scheme in SCHEMES and (scheme in ("mailto", "tel") or urlsplit(url).netloc):
        return None
    return f"{url[:60]} (links must be https://, mailto:, tel: or an address on this site)"


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and link_problem(value, element == "img"):
        return None
    return value


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
        strip_comments=True,
    )


def markdown(text: str, first_line: int = 1) -> Rendered:
    tokens = _md.parse(text)
    found = Rendered("")
    line = first_line
    for token in tokens:
        if token.map:
            line = first_line + token.map[0]
        if token.type == "heading_open" and token.tag == "h1":
            token.tag = "h2"  # the title is the page's only h1
        if token.type == "heading_close" and token.tag == "h1":
            token.tag = "h2"
        if token.type == "html_block":
            _check_html(token.content, line, found)
        for child in token.children or ():
            if child.type == "text":  # a number written out becomes a call link (dial)
                for number in PHONE.findall(child.content):
                    if premium_rate(number):
                        found.removed.append((line, f"{number} ({PREMIUM_RATE})"))
            if child.type == "html_inline":
                _check_html(child.content, line, found)
            elif child.type in ("link_open", "image"):
                url = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                problem = link_problem(url, child.type == "image")
                if problem:
                    found.removed.append((line, problem))
                elif url.startswith("/") and child.type == "link_open":
                    found.links.append((line, url))
    found.html = dial(sanitise(_md.renderer.render(tokens, _md.options, {})))
    return found


# UK numbers as people write them: 999, 101, 111, 116 123, 0808 2000 247.
PHONE = re.compile(r"(?<![\d/])(999|101|111|116 ?\d{3}|0\d{2,4}(?: ?\d{2,4}){1,3})(?![\d/])")
OUTSIDE_LINKS = re.compile(r"(<a\b.*?</a>|<code\b.*?</code>|<[^>]+>)", re.S)


def dial(html: str) -> str:
    """Phone numbers in the text become tap-to-call links; not inside a link,
    and not in code: a number written `999` is one to text, not to call
    ("text register to `999`": a tap would start an emergency call)."""
    pieces = OUTSIDE_LINKS.split(html)
    for i in range(0, len(pieces), 2):  # the text between tags and links
        pieces[i] = PHONE.sub(
            lambda m: (
                m.group(1)
                if premium_rate(m.group(1))  # refused by the check; never a tap that costs her
                else '<a class="tel" href="tel:{}" dir="ltr">{}</a>'.format(
                    m.group(1).replace(" ", ""), m.group(1)
                )
            ),
            pieces[i],
        )
    return "".join(pieces)


TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
ADDRESS = re.compile(r"""\b(href|src)\s*=\s*["']?([^"'\s>]*)""", re.I)
RISKY = re.compile(r"\bon[a-z]+\s*=|\bstyle\s*=|javascript:|vbscript:|data:|srcset", re.I)


def _check_html(fragment: str, line: int, found: Rendered) -> None:
    """Raw HTML passes only as tags we keep, with nothing risky in them (the
    sanitiser removes the rest anyway; this names it for ``content check``)."""
    for match in TAG.finditer(fragment):
        _closing, name, attributes = match.groups()
        addresses = ADDRESS.findall(attributes)
        if (
            name.lower() not in TAGS
            or RISKY.search(attributes)
            or any(
                link_problem(html_lib.unescape(value), name.lower() == "img")
                for _attr, value in addresses
            )
        ):
            found.removed.append((line, match.group(0)[:60]))


Value = str | tuple[tuple[str, str | None], ...]


def fill(text: str, values: dict[str, Value], escape: bool = True) -> str:
    """Put the landlord's own names and numbers in for ``{team}`` and friends.

    A value is a text, or (where a site has two nations' helplines) several
    texts each with a label, shown as ``A (Wales) / B (England)``."""

    def one(name: str, shown: str) -> str:
        if not escape:
            return shown
        escaped = html_lib.escape(shown)
        if name.endswith("_phone"):
            digits = "".join(ch for ch in shown if ch.isdigit() or ch == "+")
            return f'<a class="tel" href="tel:{digits}" dir="ltr">{escaped}</a>'
        if name in SENTENCES:
            return escaped
        # Isolated, so that a Latin name reads in the right order in Arabic text.
        return f"<bdi>{escaped}</bdi>"

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        given = values[name]
        if isinstance(given, str):
            return one(name, given)
        return " / ".join(
            one(name, shown)
            + (f" ({html_lib.escape(label) if escape else label})" if label else "")
            for shown, label in given
        )

    if not escape:
        return PLACEHOLDER.sub(value, text)
    # In HTML, only in the text between tags: never inside an attribute.
    pieces = re.split(r"(<[^>]*>)", text)
    return "".join(
        piece if piece.startswith("<") else PLACEHOLDER.sub(value, piece) for piece in pieces
    )


def localise(html: str, lang: str, languages: tuple[str, ...]) -> str:
    """Point internal links at the same pages in ``lang``."""
    if lang == "en":
        return html

    def prefix(match: re.Match) -> str:
        path = match.group(1)
        first = path.split("/")[1] if path.count("/") else ""
        if path.startswith(NOT_LOCALISED) or first in languages:
            return match.group(0)
        return f'href="/{lang}{path if path != "/" else "/"}'

    return re.sub(r'href="(/[^"]*)', prefix, html)
