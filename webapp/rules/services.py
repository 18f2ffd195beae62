"""Services that can help without the landlord: the national ones that ship
with the product, as plain data, and the rules that the comms team's local
service files (``content/services/``) must follow. Plain Python, no Flask.

The words a resident reads (what a service offers, who for, when it is open)
are English msgids, marked with ``N_`` so that ``make extract`` collects them;
the page translates them when it shows them (``webapp/content/nearyou.py``).

Facts checked in December 2026 against the services' own pages and press
(see the note at the end of this module for what could not be confirmed);
every national service is free to call and takes calls from the person
themselves (no referral needed).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from webapp.rules import helplines


def N_(text: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return text


ENGLAND, WALES, SCOTLAND, NORTHERN_IRELAND = "england", "wales", "scotland", "northern-ireland"
UK = (ENGLAND, WALES, SCOTLAND, NORTHERN_IRELAND)

DAY_AND_NIGHT = N_("Day and night, every day")
WEEKDAYS = N_("On weekdays (the times change: check before you call)")


@dataclass(frozen=True)
class Service:
    """One service. ``phone`` is None for a place (Safe Spaces) or an app.
    ``helpline_of`` names the nation whose domestic abuse helpline it is."""

    slug: str
    name: str  # msgid (a proper name, kept by most languages)
    offer: str  # msgid: what they offer
    who: str  # msgid: who it is for
    hours: str  # msgid
    phone: str | None
    nations: tuple[str, ...]
    self_referral: bool = True
    warning: str | None = None  # msgid, shown before anything else about it
    helpline_of: str | None = None


# The domestic abuse helpline of each nation, as "Help near you" describes
# it; the number is the one beside 999 (rules/helplines.py), so the two can
# never disagree.
HELPLINES: dict[str, Service] = {
    ENGLAND: Service(
        "national-domestic-abuse-helpline",
        N_("National Domestic Abuse Helpline"),
        N_("Support, safety planning and finding a refuge, by phone or online chat."),
        N_(
            "Women experiencing domestic abuse, and anyone calling for them. "
            "Men can call the Men's Advice Line."
        ),
        DAY_AND_NIGHT,
        helplines.HELPLINES[ENGLAND].phone,
        (ENGLAND,),
        helpline_of=ENGLAND,
    ),
    WALES: Service(
        "live-fear-free",
        N_("Live Fear Free"),
        N_("Support and advice about domestic abuse and sexual violence, in Welsh or English."),
        N_("Anyone in Wales affected by abuse, and anyone worried about someone."),
        DAY_AND_NIGHT,
        helplines.HELPLINES[WALES].phone,
        (WALES,),
        helpline_of=WALES,
    ),
    SCOTLAND: Service(
        "scotland-domestic-abuse-helpline",
        N_("Domestic Abuse and Forced Marriage Helpline"),
        N_("Support and information about domestic abuse and forced marriage, with interpreters."),
        N_("Anyone in Scotland affected by abuse, and anyone worried about someone."),
        DAY_AND_NIGHT,
        helplines.HELPLINES[SCOTLAND].phone,
        (SCOTLAND,),
        helpline_of=SCOTLAND,
    ),
    NORTHERN_IRELAND: Service(
        "domestic-and-sexual-abuse-helpline",
        N_("Domestic and Sexual Abuse Helpline"),
        N_("Support and information about domestic and sexual abuse, now or in the past."),
        N_("Anyone in Northern Ireland, whatever their gender or age."),
        DAY_AND_NIGHT,
        helplines.HELPLINES[NORTHERN_IRELAND].phone,
        (NORTHERN_IRELAND,),
        helpline_of=NORTHERN_IRELAND,
    ),
}

OTHERS: tuple[Service, ...] = (
    Service(
        "mens-advice-line",
        N_("Men's Advice Line"),
        N_("Advice and emotional support about domestic abuse."),
        N_("Men experiencing domestic abuse, and anyone worried about them."),
        WEEKDAYS,
        "0808 8010 327",
        UK,
    ),
    Service(
        "galop",
        N_("Galop"),
        N_("The national LGBT+ domestic abuse helpline: support from LGBT+ people."),
        N_("Lesbian, gay, bisexual, trans and queer people experiencing abuse."),
        WEEKDAYS,
        "0800 999 5428",
        UK,
    ),
    Service(
        "karma-nirvana",
        N_("Karma Nirvana"),
        N_("Support about forced marriage and abuse in the name of honour."),
        N_("Anyone, of any age or background, and anyone worried about someone."),
        WEEKDAYS,
        "0800 5999 247",
        UK,
    ),
    Service(
        "hourglass",
        N_("Hourglass"),
        N_("Support about the abuse, neglect or exploitation of older people."),
        N_("Older people, and anyone worried about an older person."),
        DAY_AND_NIGHT,
        "0808 808 8141",
        UK,
    ),
    Service(
        "rape-crisis",
        N_("Rape Crisis 24/7 Support Line"),
        N_("Listening and emotional support after rape or any sexual violence, however long ago."),
        N_("Anyone aged 16 or over in England and Wales, and the people supporting them."),
        DAY_AND_NIGHT,
        "0808 500 2222",
        (ENGLAND, WALES),
    ),
    Service(
        "respect-phoneline",
        N_("Respect Phoneline"),
        N_("Confidential advice on stopping abusive behaviour towards a partner or family."),
        N_("People worried about how they treat the people close to them."),
        WEEKDAYS,
        "0808 802 4040",
        UK,
    ),
    Service(
        "samaritans",
        N_("Samaritans"),
        N_("Someone to talk to, about anything, without judging you."),
        N_("Anyone who is struggling or needs to talk."),
        DAY_AND_NIGHT,
        "116 123",
        UK,
    ),
    Service(
        "childline",
        N_("Childline"),
        N_("Counsellors to talk to about anything that worries you, by phone or online."),
        N_("Children and young people up to 19."),
        N_("Every day"),
        "0800 1111",
        UK,
    ),
    Service(
        "safe-spaces",
        N_("Safe Spaces"),
        N_(
            "A private room in many pharmacies and banks, where you can call a helpline, "
            "a support service or a friend, or just think. Ask at the counter to use the "
            "Safe Space; nobody will ask you why."
        ),
        N_("Anyone experiencing domestic abuse."),
        N_("When the pharmacy or bank is open"),
        None,
        UK,
    ),
    Service(
        "ask-for-ani",
        N_("Ask for ANI"),
        N_(
            'In many pharmacies, ask the staff for "ANI". They will take you to a private '
            "room and help you call the police or a helpline."
        ),
        N_("Anyone experiencing domestic abuse who needs help now."),
        N_("When the pharmacy is open"),
        None,
        UK,
    ),
    Service(
        "bright-sky",
        N_("Bright Sky"),
        N_(
            "An app and a website by the charity Hestia: questions to help you think about "
            "your relationship, and a directory of support services across the UK."
        ),
        N_("Anyone experiencing abuse, and anyone worried about someone."),
        N_("Any time"),
        None,
        UK,
        warning=N_(
            "If someone checks your phone, they can see the apps on it. The Bright Sky "
            "website needs nothing installed: open it in a private window."
        ),
    ),
)


def national(nations: tuple[str, ...]) -> list[Service]:
    """What serves the landlord's nations: their domestic abuse helplines
    first (in the order given), then every other service that covers at least
    one of them."""
    first = [HELPLINES[nation] for nation in nations if nation in HELPLINES]
    return first + [s for s in OTHERS if any(nation in s.nations for nation in nations)]


def elsewhere(nations: tuple[str, ...]) -> list[Service]:
    """The other nations' domestic abuse helplines, for someone who lives, or
    has fled from, another part of the UK."""
    return [service for nation, service in HELPLINES.items() if nation not in nations]


# ---------------------------------------------------------------------------
# The landlord's areas and the comms team's local services.


def area_anchor(name: str) -> str:
    """The in-page anchor of an area: ``Ynys Môn`` -> ``area-ynys-mon``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"area-{slug}" if slug else ""


def areas_problem(areas: tuple[str, ...]) -> str | None:
    """Why a list of area names cannot be used; None when it can."""
    anchors: dict[str, str] = {}
    for name in areas:
        if not isinstance(name, str) or not name.strip() or "\n" in name:
            return f"{name!r} is not an area name (one line of text)"
        anchor = area_anchor(name)
        if not anchor:
            return f"{name!r} needs at least one letter or digit of the Latin alphabet"
        if anchor in anchors:
            return f"{name!r} and {anchors[anchor]!r} are too alike to tell apart"
        anchors[anchor] = name
    return None


PHONE_CHARACTERS = re.compile(r"\+?[0-9 ]+")
# Numbers that cost the caller more than a call to an ordinary number
# (09 premium rate, and the 087 numbers libphonenumber counts with them).
COSTLY = (phonenumbers.PhoneNumberType.PREMIUM_RATE,)


def phone_problem(phone: str) -> str | None:
    """Why a service's number is not one a UK phone can dial from a tap; None
    when it is. Written as people read it: ``0300 123 4567``, ``+44 300 123
    4567``, ``116 123``. Whether a number is a real UK one, and of what kind,
    is libphonenumber's (the ``phonenumbers`` package, as the journeys use)."""
    if not PHONE_CHARACTERS.fullmatch(phone.strip()):
        return f"{phone!r} must be digits and spaces only, like 0300 123 4567"
    digits = phone.replace(" ", "")
    if digits.startswith("+") and not digits.startswith("+44"):
        return f"{phone!r} is not a UK number (+44)"
    if re.fullmatch(r"116\d{3}", digits):  # 116 123: the helplines of social value
        return None
    if not digits.startswith(("0", "+44")) or digits.startswith("00"):
        return f"{phone!r} must start with 0 (or +44), like 0300 123 4567"
    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.number_type(number) in COSTLY:
        return f"{phone!r} is a premium-rate number: give the service's free or local number"
    if number is not None and phonenumbers.is_valid_number(number):
        return None  # 0800 1111 (Childline) too: libphonenumber knows the short ones
    national = "0" + digits[3:] if digits.startswith("+44") else digits
    if not 10 <= len(national) <= 11:
        return f"{phone!r} has {len(national)} digits; a UK number has 10 or 11"
    return f"{phone!r} is not a UK number in use: check it against the service's own page"


# Not confirmed when this was written (say so to the landlord's checker):
# the weekday hours of the Men's Advice Line, Galop, Karma Nirvana and the
# Respect Phoneline (each published different times over the years, so the
# page says "on weekdays" and that the times change); Childline's hours (the
# page says "every day"); and whether the Respect Phoneline and Ask for ANI cover all four
# nations.
