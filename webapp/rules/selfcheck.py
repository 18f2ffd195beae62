"""The private "is this abuse?" check: plain statements to tick, and what the
ticked ones mean. Not a quiz: there is no score, only the forms of abuse the
ticked statements belong to, and whether any of them signals danger now.

Two checks share the same forms and signs: one for a resident about her own
life (``SELF``, at ``/is-this-abuse``) and one for someone worried about a
friend, relative, neighbour or colleague (``SOMEONE``). Each statement is a
code, the form of abuse it belongs to (``FORMS``; ``now`` is not a form but
the group of how things are lately) and, if it signals danger, which sign it
is (``SIGNS``). The words people read for every code are in
``webapp/selfcheck/words.py``; ``tests/unit/test_selfcheck.py`` checks each
code has them. Nothing here is stored: ``answer`` takes the ticked codes and
gives back what to show.

To add a statement: one ``Statement`` below, in the group it belongs to, and
its words (first person for ``SELF``, third person for ``SOMEONE``) in
``words.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The forms of abuse, in the order the page shows them.
FORMS = (
    "controlled",  # coercive control and being put down
    "watched",  # checked on, followed, stalked
    "money",  # economic abuse
    "isolated",  # cut off from friends and family
    "threatened",  # threats and living in fear
    "hurt",  # physical abuse
    "forced",  # sexual abuse
    "online",  # through phones, messages, images, tracking
)
NOW = "now"  # how things are lately: not a form of abuse, but where danger shows
GROUPS = (*FORMS, NOW)

# What signals danger now, in the order the answer names them: the warning
# signs services look for first (strangling, threats to kill, weapons,
# abuse that is getting worse, fear for one's life).
SIGNS = ("strangled", "kill", "weapon", "worse", "afraid")


@dataclass(frozen=True)
class Statement:
    code: str
    group: str  # one of GROUPS
    sign: str | None = None  # one of SIGNS when it signals danger now

    @property
    def danger(self) -> bool:
        return self.sign is not None


@dataclass(frozen=True)
class Check:
    slug: str  # "self" or "someone": which words and which answer
    statements: tuple[Statement, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.statements)

    def groups(self) -> tuple[tuple[str, tuple[Statement, ...]], ...]:
        """The statements by group, in ``GROUPS`` order, groups without any left out."""
        return tuple(
            (group, members)
            for group in GROUPS
            if (members := tuple(s for s in self.statements if s.group == group))
        )


SELF = Check(
    "self",
    (
        Statement("decides", "controlled"),
        Statement("rules", "controlled"),
        Statement("eggshells", "controlled"),
        Statement("put_down", "controlled"),
        Statement("documents", "controlled"),
        Statement("where_i_am", "watched"),
        Statement("follows", "watched"),
        Statement("takes_money", "money"),
        Statement("debts", "money"),
        Statement("work_rent", "money"),
        Statement("friends", "isolated"),
        Statement("not_alone", "isolated"),
        Statement("frightened", "threatened"),
        Statement("threatens", "threatened"),
        Statement("leverage", "threatened"),
        Statement("breaks_things", "threatened"),
        Statement("kill", "threatened", sign="kill"),
        Statement("weapon", "threatened", sign="weapon"),
        Statement("hits", "hurt"),
        Statement("neck", "hurt", sign="strangled"),
        Statement("sex", "forced"),
        Statement("gave_in", "forced"),
        Statement("messages", "online"),
        Statement("tracking", "online"),
        Statement("images", "online"),
        Statement("contact", "online"),
        Statement("worse", NOW, sign="worse"),
        Statement("fear_life", NOW, sign="afraid"),
    ),
)

SOMEONE = Check(
    "someone",
    (
        Statement("decides", "controlled"),
        Statement("put_down", "controlled"),
        Statement("checks", "watched"),
        Statement("money", "money"),
        Statement("withdrawn", "isolated"),
        Statement("afraid_of", "threatened"),
        Statement("noises", "threatened"),
        Statement("kill", "threatened", sign="kill"),
        Statement("weapon", "threatened", sign="weapon"),
        Statement("injuries", "hurt"),
        Statement("neck", "hurt", sign="strangled"),
        Statement("sex", "forced"),
        Statement("phone", "online"),
        Statement("worse", NOW, sign="worse"),
        Statement("fear_life", NOW, sign="afraid"),
    ),
)

CHECKS = {check.slug: check for check in (SELF, SOMEONE)}


@dataclass(frozen=True)
class Answer:
    """What the ticked statements mean: the danger signs first, then the forms."""

    ticked: tuple[str, ...]  # known codes, in the page's order
    signs: tuple[str, ...]  # danger signs ticked, in SIGNS order
    forms: tuple[str, ...]  # forms of abuse ticked, in FORMS order

    @property
    def danger(self) -> bool:
        return bool(self.signs)

    @property
    def nothing(self) -> bool:
        return not self.ticked


def answer(check: Check, ticked: Iterable[str]) -> Answer:
    """What ``ticked`` (codes from the form, maybe repeated, maybe unknown,
    in any order) means. Unknown codes are ignored: a form sent from an old
    page, or made up, gets an answer about what is real in it."""
    chosen = set(ticked)
    statements = [s for s in check.statements if s.code in chosen]
    signs = {s.sign for s in statements if s.sign}
    groups = {s.group for s in statements}
    return Answer(
        ticked=tuple(s.code for s in statements),
        signs=tuple(sign for sign in SIGNS if sign in signs),
        forms=tuple(form for form in FORMS if form in groups),
    )
