"""The two journeys as lists of question pages, and how to move through them.

A step applies or not depending on earlier answers (the phone number page
only when the person chose a call or a text). Moving on goes to the next step
that applies; once the person has seen the check page, it goes back there,
through any step that now applies and has not been seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from webapp.referrals import forms


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.StepForm]
    title: object  # a lazy string: the page's <h1>
    applies: Callable[[dict], bool] = lambda answers: True
    template: str = "referrals/question.html"
    intro: object = None  # a lazy string shown under the heading


def method_in(*methods: str) -> Callable[[dict], bool]:
    return lambda answers: answers.get("method") in methods


def in_danger(answers: dict) -> bool:
    return answers.get("danger") == "yes"


@dataclass(frozen=True)
class Journey:
    kind: str  # "self" or "concern", as stored
    slug: str  # in the URL
    steps: tuple[Step, ...]
    contact_fields: frozenset[str] = field(default_factory=frozenset)

    def step(self, slug: str) -> Step | None:
        return next((step for step in self.steps if step.slug == slug), None)

    def applicable(self, answers: dict) -> list[Step]:
        return [step for step in self.steps if step.applies(answers)]

    def next_after(self, slug: str, answers: dict, seen: set[str], reviewing: bool) -> str:
        """The slug of the page to show after ``slug``; "check" at the end."""
        steps = self.applicable(answers)
        slugs = [step.slug for step in steps]
        later = slugs[slugs.index(slug) + 1 :] if slug in slugs else slugs
        if reviewing:
            later = [s for s in later if s not in seen]
        return later[0] if later else "check"

    def previous(self, slug: str, answers: dict) -> str | None:
        slugs = [step.slug for step in self.applicable(answers)]
        if slug == "check":
            return slugs[-1]
        if slug not in slugs or slugs.index(slug) == 0:
            return None
        return slugs[slugs.index(slug) - 1]

    def kept_answers(self, answers: dict) -> dict:
        """Only the answers of steps that apply now (a changed method drops the old number)."""
        names = {
            name
            for step in self.applicable(answers)
            for name in step.form.__dict__
            if not name.startswith("_")
        }
        return {name: value for name, value in answers.items() if name in names}


DANGER_HELP = Step(
    "in-danger",
    forms.ContinueForm,
    _l("If you are in danger now, call 999"),
    applies=in_danger,
    template="referrals/in_danger.html",
)

ASK = Journey(
    kind="self",
    slug="ask",
    steps=(
        Step("danger", forms.DangerForm, _l("Are you in danger right now?")),
        DANGER_HELP,
        Step("contact", forms.MethodForm, _l("How can we contact you safely?")),
        Step("phone", forms.PhoneForm, _l("Your phone number"), applies=method_in("call", "text")),
        Step("email", forms.EmailForm, _l("Your email address"), applies=method_in("email")),
        Step(
            "support-worker",
            forms.AgencyForm,
            _l("Your support worker or service"),
            applies=method_in("agency"),
        ),
        Step(
            "meeting-place",
            forms.InPersonForm,
            _l("Where would be safe to meet?"),
            applies=method_in("in_person"),
        ),
        Step(
            "safe-times",
            forms.TimesForm,
            _l("When is it safe to contact you?"),
            applies=method_in("call", "text", "in_person"),
        ),
        Step(
            "messages",
            forms.MessagesForm,
            _l("If you do not answer, can we leave a voicemail or a message?"),
            applies=method_in("call", "text"),
        ),
        Step(
            "withheld-number",
            forms.WithheldForm,
            _l("Will you answer a call from a withheld number?"),
            applies=method_in("call"),
        ),
        Step(
            "someone-else",
            forms.SomeoneElseForm,
            _l("If someone else answers"),
            applies=method_in("call"),
        ),
        Step(
            "code-word",
            forms.CodeWordForm,
            _l("A code word for “I cannot talk now”"),
            applies=method_in("call", "in_person"),
        ),
        Step(
            "letters",
            forms.PostForm,
            _l("Is it safe for us to send letters to your home?"),
            applies=lambda answers: answers.get("method") != "none",
        ),
        Step(
            "trusted-person",
            forms.TrustedForm,
            _l("Is there someone we can contact if we cannot reach you?"),
            applies=lambda answers: answers.get("method") != "none",
            intro=_l(
                "Only someone you trust, who knows about the abuse. Leave this empty "
                "if there is no one."
            ),
        ),
        Step("language", forms.LanguageForm, _l("Language")),
        Step(
            "speaking-to",
            forms.OfficerForm,
            _l("Would you prefer to speak to a woman or a man?"),
            applies=lambda answers: answers.get("method") != "none",
        ),
        Step("accessibility", forms.AccessForm, _l("Help to talk to us")),
        Step("what-would-help", forms.HelpForm, _l("What would help?")),
        Step(
            "about-you",
            forms.AboutForm,
            _l("About you"),
            intro=_l("You do not have to tell us, but it helps us find your tenancy."),
        ),
    ),
    contact_fields=frozenset(
        {
            "method",
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
            "language",
            "language_other",
            "interpreter",
            "officer_gender",
            "access_needs",
            "access_other",
        }
    ),
)

CONCERN = Journey(
    kind="concern",
    slug="concern",
    steps=(
        Step("danger", forms.PersonDangerForm, _l("Is the person in danger right now?")),
        Step(
            "in-danger",
            forms.ContinueForm,
            _l("If someone is in danger now, call 999"),
            applies=in_danger,
            template="referrals/in_danger.html",
        ),
        Step("relationship", forms.RelationshipForm, _l("Who are they to you?")),
        Step("what-happened", forms.SeenForm, _l("What have you seen or heard?")),
        Step(
            "the-person",
            forms.PersonForm,
            _l("About the person"),
            intro=_l("Whatever you know. It helps us find them."),
        ),
        Step("do-they-know", forms.KnowsForm, _l("Does the person know you are telling us?")),
        Step(
            "not-safe", forms.NotSafeForm, _l("Is there anyone it is not safe for us to talk to?")
        ),
        Step("reaching-them", forms.ReachForm, _l("How could we reach the person safely?")),
        Step(
            "your-details",
            forms.ReporterForm,
            _l("Can we contact you?"),
            intro=_l(
                "You can stay anonymous. We will never tell anyone that the report came from you."
            ),
        ),
    ),
    contact_fields=frozenset(
        {"reporter_method", "reporter_name", "reporter_phone", "reporter_email"}
    ),
)

JOURNEYS = {journey.slug: journey for journey in (ASK, CONCERN)}
