"""The two journeys as lists of question pages, and how to move through them.

A step applies or not depending on earlier answers (the phone number page
only when the person chose a call or a text). Moving on goes to the next step
that applies; once the person has seen the check page, it goes back there,
through any step that now applies and has not been seen.

A step's slug names it inside the draft and the forms, never in an address:
every page of a journey is shown at one address, under the journey's own
title, so that the browser's history list keeps nothing an answer decided
(docs/safety.md, "No traces").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from webapp.referrals import forms
from webapp.rules import contact
from webapp.rules.intake import method_of


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.StepForm]
    title: object  # a lazy string: the page's <h1>
    applies: Callable[[dict], bool] = lambda answers: True
    template: str = "referrals/question.html"
    intro: object = None  # a lazy string shown under the heading


def method_is(test: Callable[[contact.Method], bool]) -> Callable[[dict], bool]:
    """A step that applies when the chosen contact method passes ``test``."""
    return lambda answers: test(method_of(answers))


def reached_by(reach: str) -> Callable[[dict], bool]:
    return method_is(lambda method: method.reach == reach)


def contactable(answers: dict) -> bool:
    return method_of(answers) is not contact.NO_CONTACT


def in_danger(answers: dict) -> bool:
    return answers.get("danger") == "yes"


CHECK = "check"  # the check-your-answers page, where a draft's position can also be


@dataclass(frozen=True)
class Journey:
    kind: str  # "self" or "concern", as stored
    slug: str  # in the URL
    title: object  # a lazy string: the start page's <h1>, and every journey page's <title>
    steps: tuple[Step, ...]

    @property
    def contact_fields(self) -> frozenset[str]:
        return contact.CONTACT_FIELDS[self.kind]

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
        return later[0] if later else CHECK

    def unseen(self, answers: dict, seen: set[str]) -> list[str]:
        """The pages that apply and have not been answered yet, in order."""
        return [step.slug for step in self.applicable(answers) if step.slug not in seen]

    def position(self, answers: dict, seen: set[str], at: str | None) -> str:
        """The page to show now: where the person is (``at``), if it still
        applies; else, or at the check page while a changed answer brought in a
        question not yet answered, the first such question; else the check page.
        A new draft (and one saved before drafts kept a position) starts at the
        first page not yet answered."""
        if at != CHECK and at in {step.slug for step in self.applicable(answers)}:
            return at
        unseen = self.unseen(answers, seen)
        return unseen[0] if unseen else CHECK

    def previous(self, slug: str, answers: dict) -> str | None:
        slugs = [step.slug for step in self.applicable(answers)]
        if slug == CHECK:
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


def way_back_steps() -> tuple[Step, ...]:
    """The last question of either journey: a way back. Required for “Write to
    me on this site” (it is how we reach her), offered to everyone else."""
    return (
        Step(
            "passphrase",
            forms.PassphraseForm,
            _l("Your way back to this request"),
            applies=reached_by(contact.PASSPHRASE),
            template="referrals/way_back.html",
        ),
        Step(
            "way-back",
            forms.WayBackForm,
            _l("A way back to this request"),
            applies=method_is(lambda method: method.reach != contact.PASSPHRASE),
            template="referrals/way_back.html",
        ),
    )


WAY_BACK_STEPS = ("passphrase", "way-back")

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
    title=_l("Ask for help for yourself"),
    steps=(
        Step("danger", forms.DangerForm, _l("Are you in danger right now?")),
        DANGER_HELP,
        Step("contact", forms.MethodForm, _l("How can we contact you safely?")),
        Step("phone", forms.PhoneForm, _l("Your phone number"), applies=reached_by(contact.PHONE)),
        Step(
            "email",
            forms.EmailForm,
            _l("Your email address"),
            applies=reached_by(contact.EMAIL_ADDRESS),
        ),
        Step(
            "support-worker",
            forms.AgencyForm,
            _l("Your support worker or service"),
            applies=reached_by(contact.AGENCY_DETAILS),
        ),
        Step(
            "meeting-place",
            forms.InPersonForm,
            _l("Where would be safe to meet?"),
            applies=reached_by(contact.MEETING_PLACE),
        ),
        Step(
            "safe-times",
            forms.TimesForm,
            _l("When is it safe to contact you?"),
            applies=method_is(lambda method: method.safe_times),
        ),
        Step(
            "messages",
            forms.MessagesForm,
            _l("If you do not answer, can we leave a voicemail or a message?"),
            applies=method_is(lambda method: method.takes_message),
        ),
        Step(
            "withheld-number",
            forms.WithheldForm,
            _l("Will you answer a call from a withheld number?"),
            applies=method_is(lambda method: method.rings),
        ),
        Step(
            "someone-else",
            forms.SomeoneElseForm,
            _l("If someone else answers"),
            applies=method_is(lambda method: method.rings),
        ),
        Step(
            "code-word",
            forms.CodeWordForm,
            _l("A code word for “I cannot talk now”"),
            applies=method_is(lambda method: method.live),
        ),
        Step(
            "letters",
            forms.PostForm,
            _l("Is it safe for us to send letters to your home?"),
            applies=contactable,
        ),
        Step(
            "trusted-person",
            forms.TrustedForm,
            _l("Is there someone we can contact if we cannot reach you?"),
            applies=contactable,
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
            applies=contactable,
        ),
        Step("accessibility", forms.AccessForm, _l("Help to talk to us")),
        Step("what-would-help", forms.HelpForm, _l("What would help?")),
        Step(
            "about-you",
            forms.AboutForm,
            _l("About you"),
            intro=_l("You do not have to tell us, but it helps us find your tenancy."),
        ),
        *way_back_steps(),
    ),
)

CONCERN = Journey(
    kind="concern",
    slug="concern",
    title=_l("Worried about someone else"),
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
        *way_back_steps(),
    ),
)

JOURNEYS = {journey.slug: journey for journey in (ASK, CONCERN)}
