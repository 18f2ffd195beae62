"""The domestic abuse helpline of each UK nation, and which ones a site shows.

Plain data, no Flask. Every page beside 999 (and the "when we are closed"
line, the way back's danger page and the content's ``{helpline_name}``)
names the helpline of the nation the landlord's homes are in; a landlord
whose homes lie in two nations (common on the Welsh border) shows both, each
labelled with its nation. A landlord may override the helpline with its own
name and number (``helpline_name``, ``helpline_phone``); the pages call it
free and open day and night, so an override must be both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# The UK nations, as the settings name them (bank_holiday_nation, nations).
NATIONS = ("england", "wales", "scotland", "northern-ireland")
MAX_NATIONS = 2  # the box beside 999 stays short on a small phone


@dataclass(frozen=True)
class Helpline:
    name: str  # in English, and in every language without a name of its own
    phone: str
    nation: str | None  # None for a landlord's own helpline
    free: bool = True
    day_and_night: bool = True
    names: Mapping[str, str] = field(default_factory=dict)  # language code -> name

    def name_in(self, language: str) -> str:
        """The name a reader of ``language`` knows it by (Welsh: Byw Heb Ofn)."""
        return self.names.get(language) or self.name


def _names(**names: str) -> Mapping[str, str]:
    return MappingProxyType(names)


# Each is free and open day and night (checked by tests/unit/test_helplines.py,
# as the pages say so). A name is given in another language only where the
# service itself uses one; elsewhere its English name is the one to ask for.
HELPLINES: Mapping[str, Helpline] = MappingProxyType(
    {
        "england": Helpline("National Domestic Abuse Helpline", "0808 2000 247", "england"),
        "wales": Helpline(
            "Live Fear Free Helpline",
            "0808 80 10 800",
            "wales",
            names=_names(cy="Llinell Gymorth Byw Heb Ofn"),
        ),
        "scotland": Helpline(
            "Domestic Abuse and Forced Marriage Helpline", "0800 027 1234", "scotland"
        ),
        "northern-ireland": Helpline(
            "Domestic and Sexual Abuse Helpline", "0808 802 1414", "northern-ireland"
        ),
    }
)


def for_site(
    nations: tuple[str, ...],
    names: Mapping[str, str] | None = None,
    phone: str | None = None,
) -> tuple[Helpline, ...]:
    """The helplines a site shows, in the order of ``nations``.

    With an override (``names``, a name per language with ``en`` among them,
    and/or ``phone``) there is one helpline, the landlord's, with no nation;
    a half left out comes from the first nation's helpline.
    """
    unknown = [nation for nation in nations if nation not in HELPLINES]
    if not nations or unknown:
        raise ValueError(f"unknown or no nation: {unknown or nations}")
    if names is None and phone is None:
        return tuple(HELPLINES[nation] for nation in nations)
    base = HELPLINES[nations[0]]
    if names is not None and "en" not in names:
        raise ValueError("a helpline's names need an English one (en)")
    return (
        Helpline(
            name=names["en"] if names else base.name,
            phone=phone or base.phone,
            nation=None,
            names=_names(**names) if names else base.names,
        ),
    )


def labelled(helplines: tuple[Helpline, ...]) -> bool:
    """Whether each helpline is named with its nation: only when there are two."""
    return len(helplines) > 1
