"""How a page or campaign goes from a draft to what residents read, and who
may move it (docs/content.md). Plain values in, plain values out.

A version of one language of one document is a ``draft`` while it is being
written, ``waiting`` once its author asks for approval, then ``published``
when a second comms or admin user approves it (or its author, when the
landlord has turned two-person publishing off). Publishing a version
``replaced`` the one before; ``unpublished`` takes it down (one person may:
taking a wrong number down must never wait for a second); a draft may be
``discarded``. A restored version is a new draft, approved like any other.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

DRAFT, WAITING, PUBLISHED, REPLACED, UNPUBLISHED, DISCARDED = (
    "draft",
    "waiting",
    "published",
    "replaced",
    "unpublished",
    "discarded",
)
OPEN = (DRAFT, WAITING)  # at most one of these per language of a document
EDITABLE_KINDS = ("pages", "campaigns")  # local services are loaded from files
MAX_TEXT = 100_000  # characters in a page's text, as the editor takes it
FILES = "files"  # the author and approver of a version loaded from the content folder


def approval_refused(authors: list[str], approver: str, two_people: bool) -> str | None:
    """Why ``approver`` may not publish a draft written by ``authors``; None
    when she may."""
    if two_people and approver in authors:
        return "own"  # you wrote part of this change: another person must approve it
    return None


def digest(text: str) -> str:
    """What the approval page read of a draft: its Approve sends this back,
    so that a draft changed (and sent again) meanwhile is not published
    unread."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def add_author(authors: str, name: str) -> str:
    """The comma-separated authors of a draft, with ``name`` among them."""
    names = [n for n in authors.split(",") if n]
    return ",".join([*names, name] if name not in names else names)


# The states the list shows for a document (its English, which every
# translation's dates follow): what residents see today, then whether a
# change is on its way.
LIVE, SCHEDULED, ENDED, NOT_PUBLISHED = "live", "scheduled", "ended", "not-published"


def public_state(
    published: bool, publish_from: date | None, publish_until: date | None, today: date
) -> str:
    """Whether residents see the published version today, will from its
    start date, saw it until its end, or see nothing."""
    if not published:
        return NOT_PUBLISHED
    if publish_from is not None and today < publish_from:
        return SCHEDULED
    if publish_until is not None and today > publish_until:
        return ENDED
    return LIVE


@dataclass(frozen=True)
class Translation:
    """One language of a document, for the translations at a glance."""

    lang: str
    published: bool
    draft: str | None  # DRAFT, WAITING or None
    stale: bool  # the English was published again after this was

    @property
    def marks(self) -> tuple[str, ...]:
        """What the list says of it: ``published`` or ``stale`` (older than
        its English), then ``draft`` or ``waiting`` when a change is open;
        ``missing`` when there is neither."""
        shown = (STALE if self.stale else PUBLISHED,) if self.published else ()
        shown += (self.draft,) if self.draft else ()
        return shown or (MISSING,)


MISSING, STALE = "missing", "stale"

# What the list groups a document's languages by, what needs doing first:
# older than the English (send it to a translator), waiting for approval,
# a draft being written, missing, then published and up to date.
GLANCE_ORDER = (STALE, WAITING, DRAFT, MISSING, PUBLISHED)


def at_a_glance(translations: list[Translation]) -> list[tuple[str, list[str]]]:
    """A document's languages grouped by what the list says of them, in
    ``GLANCE_ORDER``, each group in the languages' own order; a language
    with a published version and an open draft is in both groups. Groups
    with no language are left out."""
    groups: dict[str, list[str]] = {mark: [] for mark in GLANCE_ORDER}
    for translation in translations:
        for mark in translation.marks:
            groups[mark].append(translation.lang)
    return [(mark, langs) for mark, langs in groups.items() if langs]


def change_under_way(drafts: list[str]) -> str | None:
    """Of the open drafts of a document's languages (their states): WAITING
    when one waits for approval, else DRAFT when one is being written."""
    if WAITING in drafts:
        return WAITING
    return DRAFT if DRAFT in drafts else None


def is_stale(english_approved_at: datetime | None, approved_at: datetime | None) -> bool:
    """A translation is older than its English when the English was published
    after it was (so it may not say what the English now says)."""
    return (
        english_approved_at is not None
        and approved_at is not None
        and english_approved_at > approved_at
    )


def line_diff(old: str, new: str) -> list[tuple[str, str]]:
    """What changed, line by line: ("same" | "removed" | "added", line), in
    reading order, with unchanged stretches longer than six lines cut to the
    three lines either side of a change (("gap", "") marks a cut)."""
    a, b = old.split("\n"), new.split("\n")
    rows: list[tuple[str, str]] = []
    kept: list[tuple[str, str]] = []  # the unchanged lines since the last change
    for tag, i1, i2, j1, j2 in line_opcodes(a, b):
        if tag == "equal":
            kept += [("same", line) for line in a[i1:i2]]
            continue
        if kept:
            if not rows:  # before the first change: only the three lines next to it
                rows += kept[-3:]
            elif len(kept) > 6:
                rows += [*kept[:3], ("gap", ""), *kept[-3:]]
            else:
                rows += kept
            kept = []
        rows += [("removed", line) for line in a[i1:i2]]
        rows += [("added", line) for line in b[j1:j2]]
    if rows:  # after the last change: the three lines next to it
        rows += kept[:3]
    return rows


# Comparing lines costs up to the product of the two texts' lengths in
# lines (worse where one line, the empty line between paragraphs, is
# everywhere): past this, what differs between the texts' common start and
# end is shown as removed, then added, whole.
COMPARED_LINES = 4_000_000


def common_ends(a: list[str], b: list[str]) -> tuple[int, int]:
    """How many items two sequences share at their start, then at their end
    (not counting the start's again): found in one pass, so that only what
    lies between needs difflib."""
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def line_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for two texts' lines, in time that stays short for
    any text the editor takes: the common start and end are matched first;
    the lines between are compared with difflib's heuristic for popular
    lines (which treats a line found everywhere as not worth matching on),
    or, past COMPARED_LINES, replaced whole."""
    head, tail = common_ends(a, b)
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if not middle_a and not middle_b:
        middle = []
    elif len(middle_a) * len(middle_b) <= COMPARED_LINES:
        matcher = difflib.SequenceMatcher(a=middle_a, b=middle_b, autojunk=True)
        middle = matcher.get_opcodes()
    else:
        middle = [("replace", 0, len(middle_a), 0, len(middle_b))]
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [(tag, head + i1, head + i2, head + j1, head + j2) for tag, i1, i2, j1, j2 in middle]
    if tail:
        opcodes.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return opcodes


# Characters that are not seen but change how the text around them reads:
# the Arabic letter mark, zero-width ones, the left-to-right and
# right-to-left marks, the invisible operators and the isolates, the byte
# order mark. Translations may need the marks and isolates, so they are not
# refused; but where staff read a text to approve it, each is shown by its
# name, so that "Call [RLM]0161 496 0808" cannot read as another number.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u2060-\u2069\ufeff]")


def revealed(text: str) -> str:
    """``text`` with each invisible character written as its code point,
    like ⟨U+200F⟩ (which also stops it reordering what follows)."""
    return INVISIBLE.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


# A word, a run of spaces, or one other character: what a changed line is
# compared by, so that one digit of a phone number stands out in a paragraph.
TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
ALIKE = 0.5  # below this share of tokens in common, the whole line is new
# Comparing words costs up to the product of the two lines' lengths: what
# differs between a line's common start and common end is compared word by
# word only up to this many tokens a side, and a whole diff spends at most
# COMPARE_BUDGET (tokens times tokens) on it, so that no draft (100,000
# characters on one line, say) makes the approval page slow. Past either,
# the middle is marked as one changed stretch, or the line is left unmarked.
COMPARED_TOKENS = 1_000
COMPARE_BUDGET = 1_000_000


def marked_diff(rows: list[tuple[str, str]]) -> list[tuple[str, list[tuple[bool, str]]]]:
    """``line_diff``'s rows with each line cut into (changed, text) parts: a
    removed line and the added line that took its place (the first removed
    with the first added of a change, and so on) mark the words that differ;
    every other line is one unmarked part. Lines too unlike to pair, and
    lines left over, are unmarked: the row's own label says they changed.
    Invisible characters are shown by name (``revealed``)."""
    marked = [(kind, [(False, line)]) for kind, line in rows]
    budget = [COMPARE_BUDGET]
    start = 0
    while start < len(rows):
        if rows[start][0] != "removed":
            start += 1
            continue
        removed_end = start
        while removed_end < len(rows) and rows[removed_end][0] == "removed":
            removed_end += 1
        added_end = removed_end
        while added_end < len(rows) and rows[added_end][0] == "added":
            added_end += 1
        pairs = zip(range(start, removed_end), range(removed_end, added_end), strict=False)
        for old_at, new_at in pairs:
            old_parts, new_parts = changed_words(rows[old_at][1], rows[new_at][1], budget)
            if old_parts is not None:
                marked[old_at] = ("removed", old_parts)
                marked[new_at] = ("added", new_parts)
        start = added_end
    return [
        (kind, [(changed, revealed(text)) for changed, text in parts]) for kind, parts in marked
    ]


def changed_words(old: str, new: str, budget: list[int] | None = None):
    """Two versions of a line as (changed, text) parts, the words that differ
    marked; (None, None) when they have too little in common to compare.
    ``budget`` (a one-item list) is what is left of the diff's comparing."""
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    head, tail = common_ends(a, b)
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    cost = len(middle_a) * len(middle_b)
    budget = budget if budget is not None else [COMPARE_BUDGET]
    if max(len(middle_a), len(middle_b)) <= COMPARED_TOKENS and cost <= budget[0]:
        budget[0] -= cost
        matcher = difflib.SequenceMatcher(a=middle_a, b=middle_b, autojunk=False)
        middle = matcher.get_opcodes()
    else:  # too long to compare word by word: the middle changed as a whole
        middle = [("replace", 0, len(middle_a), 0, len(middle_b))]
    same = head + tail + sum(i2 - i1 for tag, i1, i2, _j1, _j2 in middle if tag == "equal")
    if 2 * same < ALIKE * (len(a) + len(b)):
        return None, None
    stretches = [("equal", 0, head, 0, head)]
    stretches += [
        (tag, head + i1, head + i2, head + j1, head + j2) for tag, i1, i2, j1, j2 in middle
    ]
    stretches.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    old_parts: list[tuple[bool, str]] = []
    new_parts: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in stretches:
        for parts, tokens in ((old_parts, a[i1:i2]), (new_parts, b[j1:j2])):
            if not tokens:
                continue
            changed, text = tag != "equal", "".join(tokens)
            if parts and parts[-1][0] == changed:
                parts[-1] = (changed, parts[-1][1] + text)
            else:
                parts.append((changed, text))
    return old_parts, new_parts


FIELD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:")


def place(text: str, line: int) -> tuple[str, int]:
    """Where line ``line`` (1-based) of a document's text is, for showing a
    problem beside what the editor typed: (the front-matter field it is in,
    0), ("body", the line of the text box, after any empty lines that open
    the body), or ("", 0) for the document as a whole."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---" or line < 2:
        return "", 0
    end = next((i for i, row in enumerate(lines[1:], 1) if row.strip() == "---"), None)
    if end is None:
        return "", 0
    if line <= end:  # inside the front matter: the field whose line this is, or continues
        for row in reversed(lines[1:line]):
            found = FIELD.match(row)
            if found:
                return found.group(1), 0
        return "", 0
    body = lines[end + 1 :]
    blank = next((i for i, row in enumerate(body) if row.strip()), len(body))
    number = line - end - 1 - blank
    return ("body", number) if number >= 1 else ("", 0)
