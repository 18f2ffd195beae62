"""The one contact vocabulary: every code the journeys store and the staff
side reads, with the properties that rules are decided by.

The journeys offer these methods, the due time moves into a safe window for
those with ``safe_times``, the staff rules allow and forbid by them, and the
labels (``webapp/presentation.py``) are keyed from them. A new method is one
new ``Method`` here and its labels; ``tests/unit/test_vocabulary.py`` names
whatever else is missing.

Stored codes never change meaning: referrals sealed years ago still read the
same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

# -- how a person can be reached --------------------------------------------

# What a method needs to know to reach her (the journey asks for it on a page
# of its own): a phone number, an email address, a support worker or service,
# a safe place to meet, or a passphrase for her way back to this site.
PHONE, EMAIL_ADDRESS, AGENCY_DETAILS, MEETING_PLACE = "phone", "email", "agency", "meeting"
PASSPHRASE = "passphrase"  # noqa: S105 (a kind of reach, not a secret)


@dataclass(frozen=True)
class Method:
    """A way of contacting someone. Every property must be given: a new
    method cannot quietly inherit a rule it should not have."""

    code: str  # as stored
    reach: str | None  # PHONE, EMAIL_ADDRESS, AGENCY_DETAILS, MEETING_PLACE; None: no contact
    safe_times: bool  # she names safe days and times; the due time moves into them
    takes_message: bool  # a voicemail or a message may be left, if she said so
    live: bool  # we talk to her there and then, so a code word can end it
    rings: bool  # a phone that rings: withheld numbers, someone else answering


CALL = Method("call", PHONE, safe_times=True, takes_message=True, live=True, rings=True)
TEXT = Method("text", PHONE, safe_times=True, takes_message=True, live=False, rings=False)
EMAIL = Method(
    "email", EMAIL_ADDRESS, safe_times=False, takes_message=False, live=False, rings=False
)
AGENCY = Method(
    "agency", AGENCY_DETAILS, safe_times=False, takes_message=False, live=False, rings=False
)
IN_PERSON = Method(
    "in_person", MEETING_PLACE, safe_times=True, takes_message=False, live=True, rings=False
)
# Written replies she reads on this site, with her reference and passphrase
# (docs/way-back.md): nothing is sent to her phone or her home, and she reads
# when she can, so there are no safe times.
SITE = Method("site", PASSPHRASE, safe_times=False, takes_message=False, live=False, rings=False)
NO_CONTACT = Method("none", None, safe_times=False, takes_message=False, live=False, rings=False)

# What each journey offers, in the order it is offered.
RESIDENT_METHODS: tuple[Method, ...] = (CALL, TEXT, SITE, EMAIL, AGENCY, IN_PERSON, NO_CONTACT)
REPORTER_METHODS: tuple[Method, ...] = (NO_CONTACT, CALL, EMAIL, SITE)  # "can we contact you?"

# How an officer may try: the resident's own ways, a letter (when she said
# post is safe) and the trusted person she named (after failed tries).
LETTER = Method("letter", None, safe_times=False, takes_message=False, live=False, rings=False)
TRUSTED = Method("trusted", None, safe_times=False, takes_message=False, live=False, rings=False)
ATTEMPT_METHODS: tuple[Method, ...] = (
    *(method for method in RESIDENT_METHODS if method is not NO_CONTACT),
    LETTER,
    TRUSTED,
)

METHODS: dict[str, Method] = {
    method.code: method for method in (*RESIDENT_METHODS, *ATTEMPT_METHODS)
}

# The field every journey stores the chosen method under, in the sealed
# answers and the draft alike.
METHOD_FIELD = "method"


def method(code: str | None) -> Method:
    """The method stored as ``code``; no contact for none or an unknown code."""
    return METHODS.get(code or "", NO_CONTACT)


def codes(methods) -> frozenset[str]:
    return frozenset(m.code for m in methods)


# -- what each journey's contact part holds ----------------------------------

# The answers sealed under "contact" (what staff read first); the rest are
# sealed under "answers".
CONTACT_FIELDS = {
    "self": frozenset(
        {
            METHOD_FIELD,
            "phone",
            "phone_own",
            "voicemail",
            "withheld",
            "cover_story",
            "ask_for",
            "code_word",
            "email",
            "email_own",
            "agency_name",
            "worker_name",
            "agency_contact",
            "meet_place",
            "arrange",
            "any_time",
            "days",
            "bands",
            "avoid",
            "post_safe",
            "trusted_name",
            "trusted_contact",
            "trusted_relationship",
            "write_here",
            "language",
            "language_other",
            "interpreter",
            "officer_gender",
            "access_needs",
            "access_other",
        }
    ),
    "concern": frozenset(
        {METHOD_FIELD, "reporter_name", "reporter_phone", "reporter_email", "write_here"}
    ),
}
KINDS = tuple(CONTACT_FIELDS)  # "self": for herself; "concern": about someone else

# -- when it is safe ---------------------------------------------------------

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BANDS: dict[str, tuple[time, time]] = {  # UK wall-clock hours
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
}
# "no_name": yes, but the caller does not say who they are or where they call from
VOICEMAIL = ("yes", "no_name", "no")
NEVER_LEAVE_A_MESSAGE = "no"

# -- what the queue shows ----------------------------------------------------

DANGER_NOW = "danger_now"
NO_SAFE_WINDOW = "no_safe_window"
ASKED_NO_CONTACT = "no_contact"  # a resident who asked not to be contacted
ANONYMOUS = "anonymous"  # a concern whose reporter left no way back
FLAGS = (DANGER_NOW, NO_SAFE_WINDOW, ASKED_NO_CONTACT, ANONYMOUS)
URGENT_FLAGS = frozenset({DANGER_NOW, NO_SAFE_WINDOW})  # shown in red in the queue

# -- casework ----------------------------------------------------------------

SPOKE = "spoke"
MESSAGE_LEFT = "message_left"
WRITTEN = "written"  # a reply written to her way back: she will read it there
ATTEMPT_OUTCOMES = (SPOKE, "no_answer", "not_safe", "wrong_person", MESSAGE_LEFT, WRITTEN)
REACHED_OUTCOMES = frozenset({SPOKE, WRITTEN})  # contact made: the promise is kept
FAILED_OUTCOMES = frozenset(ATTEMPT_OUTCOMES) - REACHED_OUTCOMES
CLOSE_OUTCOMES = ("support_agreed", "idva", "marac", "declined", "unreachable")
# The safe-contact rules an attempt can set aside, with a reason: a way she
# did not choose, outside her safe times, a message where she said never;
# after she asked us to stop; while she may be under pressure (her second
# passphrase was used, until an officer has reviewed it).
CHANNEL, TIME, MESSAGE, STOPPED, PRESSURE = "channel", "time", "message", "stopped", "pressure"
OVERRIDABLE = (CHANNEL, TIME, MESSAGE, STOPPED, PRESSURE)
STATUSES = ("open", "closed")

# -- staff -------------------------------------------------------------------

ROLES = ("officer", "manager", "admin", "comms")
CASEWORK_ROLES = ("officer", "manager", "admin")  # comms staff never see a referral
MANAGER_ROLES = ("manager", "admin")  # may give a referral to another officer
CONTENT_ROLES = ("comms", "admin")
REPORT_ROLES = (*CASEWORK_ROLES, "comms")  # counts only, nothing personal
