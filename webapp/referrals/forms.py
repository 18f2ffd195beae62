"""One form a question page. Every question is optional except what is needed
to reach the person safely; every text field has a length limit."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from webapp import presentation as words
from webapp.rules import contact, wayback

SHORT = 200
LONG = 2000
UK_REGIONS = {"GB", "GG", "JE", "IM"}


def options(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


YES_NO = options(("yes", _l("Yes")), ("no", _l("No")))
YES_NO_UNSURE = options(("yes", _l("Yes")), ("no", _l("No")), ("unsure", _l("I am not sure")))

METHODS = options(*words.choices(words.RESIDENT_METHODS, contact.RESIDENT_METHODS))
DAYS = options(*words.choices(words.DAYS, contact.DAYS))
BANDS = options(*words.choices(words.BANDS, contact.BANDS))
VOICEMAIL = options(*words.choices(words.VOICEMAIL, contact.VOICEMAIL))
HELP = options(
    ("security", _l("Making my home more secure (locks, alarms, lighting)")),
    ("move", _l("Moving home safely")),
    ("money", _l("Money or rent worries, including pausing action on arrears")),
    ("repairs", _l("Repairing damage caused by the person harming me")),
    ("support", _l("Support from a specialist domestic abuse service")),
    ("legal", _l("Legal protection, such as a court order")),
    ("talk", _l("Just talking it through")),
)
LANGUAGES = options(
    ("en", "English"),
    ("cy", "Cymraeg"),
    ("pl", "Polski"),
    ("ro", "Română"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("ur", "اردو"),
    ("pt", "Português"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("bn", "বাংলা"),
    ("gu", "ગુજરાતી"),
    ("it", "Italiano"),
    ("other", _l("Another language")),
)
GENDERS = options(("woman", _l("A woman")), ("man", _l("A man")), ("any", _l("I do not mind")))
ACCESS = options(
    ("bsl", _l("A British Sign Language (BSL) interpreter")),
    ("relay", _l("Relay UK (text relay)")),
    ("large_print", _l("Large print")),
    ("easy_read", _l("Easy read")),
)
RELATIONSHIPS = options(
    ("friend", _l("A friend")),
    ("relative", _l("A relative")),
    ("neighbour", _l("A neighbour")),
    ("colleague", _l("A colleague")),
    ("staff", _l("I work for the landlord or a contractor")),
    ("other", _l("Someone else")),
)
REPORTER_METHODS = options(*words.choices(words.REPORTER_METHODS, contact.REPORTER_METHODS))


NOT_A_UK_NUMBER = _l("Enter a UK phone number, such as a mobile number starting 07")


def uk_phone(form, field):
    if not field.data:
        return
    try:
        number = phonenumbers.parse(field.data, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(NOT_A_UK_NUMBER) from None
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) not in UK_REGIONS
    ):
        raise ValidationError(NOT_A_UK_NUMBER)
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def email_address(form, field):
    if not field.data:
        return
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("Enter an email address, like name@example.com")) from None


def required_when(other: str, *values: str, message):
    """Required only when the field ``other`` has one of ``values``."""

    def check(form, field):
        if form[other].data in values and not (field.data or "").strip():
            raise StopValidation(message)

    return check


PHONE_BOX = {"inputmode": "tel", "dir": "ltr"}  # a number pad; digits left to right in Arabic
EMAIL_BOX = {"inputmode": "email", "dir": "ltr"}


def text(
    label, required=None, long=False, description="", validators=(), when=None, render_kw=None
):
    """A text box; ``when`` is a ``required_when`` check that runs first."""
    limit = LONG if long else SHORT
    checks = [DataRequired(message=required)] if required else [Optional()]
    if when:
        checks = [when, *checks]
    checks = [
        *checks,
        Length(max=limit, message=_l("Please use %(max)d characters or fewer", max=limit)),
        *validators,
    ]
    field = TextAreaField if long else StringField
    return field(
        label,
        validators=checks,
        description=description,
        render_kw=render_kw,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


def radios(label, choices, required=None, description="", default=None):
    checks = [DataRequired(message=required)] if required else [Optional()]
    return RadioField(
        label, choices=choices, validators=checks, description=description, default=default
    )


def checkboxes(label, choices, description=""):
    # No Optional(): it would stop the form's own checks (validate_days) on no answer.
    return SelectMultipleField(label, choices=choices, description=description)


class StepForm(FlaskForm):
    """A question page. ``website`` is a honeypot: people never see it."""

    website = StringField(_l("Leave this box empty"), validators=[Optional()])

    def validate_website(self, field):
        if field.data:
            raise ValidationError(_l("Leave this box empty"))

    def questions(self) -> list:
        """The fields a person answers (not the CSRF token or the honeypot)."""
        return [
            field for name, field in self._fields.items() if name not in ("csrf_token", "website")
        ]

    def answers(self) -> dict:
        return {field.name: field.data for field in self.questions()}


# -- asking for help for yourself -------------------------------------------


class DangerForm(StepForm):
    danger = radios(_l("Are you in danger right now?"), YES_NO)


class ContinueForm(StepForm):
    """A page of information with a Continue button and no question."""


class MethodForm(StepForm):
    method = radios(
        _l("How can we contact you safely?"),
        METHODS,
        required=_l("Choose how we can contact you safely"),
    )


class PhoneForm(StepForm):
    phone = text(
        _l("Phone number"),
        required=_l("Enter the phone number we can use"),
        validators=[uk_phone],
        render_kw=PHONE_BOX,
    )
    phone_own = radios(
        _l("Is this phone yours alone?"),
        YES_NO_UNSURE,
        description=_l("No one else uses it, checks it or pays the bill."),
    )


class MessagesForm(StepForm):
    voicemail = radios(
        _l("If you do not answer, can we leave a voicemail or a message?"),
        VOICEMAIL,
        required=_l("Tell us whether we can leave a message"),
    )


class WithheldForm(StepForm):
    withheld = radios(
        _l("Will you answer a call from a withheld number?"),
        YES_NO_UNSURE,
        description=_l("Our calls may show as “No caller ID” or “Private number”."),
    )


class SomeoneElseForm(StepForm):
    cover_story = text(
        _l("If someone else answers, what should we say?"),
        long=True,
        description=_l("For example, that we are calling about a repair."),
    )
    ask_for = text(
        _l("Who should we ask for?"),
        description=_l("A name, or a word that tells us we are talking to you."),
    )


class CodeWordForm(StepForm):
    code_word = text(
        _l("A code word that means “I cannot talk now”"),
        description=_l("If you say it, we will end the call at once and try again another time."),
    )


class EmailForm(StepForm):
    email = text(
        _l("Email address"),
        required=_l("Enter the email address we can use"),
        validators=[email_address],
        render_kw=EMAIL_BOX,
    )
    email_own = radios(
        _l("Is this email account yours alone?"),
        YES_NO_UNSURE,
        description=_l("No one else knows the password or can read it."),
    )


class AgencyForm(StepForm):
    agency_name = text(_l("Name of the service"), required=_l("Enter the name of the service"))
    worker_name = text(_l("Name of your support worker"))
    agency_contact = text(
        _l("Their phone number or email address"),
        required=_l("Enter their phone number or email address"),
    )


class InPersonForm(StepForm):
    meet_place = text(
        _l("Where would be safe to meet?"),
        long=True,
        required=_l("Tell us where would be safe to meet"),
        description=_l("For example, a GP surgery, a library or a friend’s home."),
    )
    arrange = text(
        _l("How can we get in touch to arrange it?"),
        long=True,
        required=_l("Tell us how we can get in touch to arrange the meeting"),
        description=_l("For example, a number that is safe to text, or through someone you trust."),
    )


class TimesForm(StepForm):
    any_time = BooleanField(_l("Any time is safe"))
    days = checkboxes(_l("Which days are safe?"), DAYS)
    bands = checkboxes(_l("Which times of day are safe?"), BANDS)
    avoid = text(_l("Any times to avoid?"), description=_l("For example, when someone is at home."))

    def validate_days(self, field):
        if not self.any_time.data and not field.data:
            raise ValidationError(_l("Choose at least one safe day, or “Any time is safe”"))

    def validate_bands(self, field):
        if not self.any_time.data and not field.data:
            raise ValidationError(_l("Choose at least one safe time of day, or “Any time is safe”"))


class PostForm(StepForm):
    post_safe = radios(
        _l("Is it safe for us to send letters to your home?"),
        YES_NO,
        default="no",
        description=_l("If you are not sure, choose No."),
    )


class TrustedForm(StepForm):
    trusted_name = text(_l("Their name"))
    trusted_contact = text(_l("Their phone number or email address"))
    trusted_relationship = text(
        _l("Who they are to you"), description=_l("For example, a friend or a support worker.")
    )


class LanguageForm(StepForm):
    language = SelectField(
        _l("Which language would you like us to use?"), choices=LANGUAGES, validators=[Optional()]
    )
    language_other = text(_l("If another language, which one?"))
    interpreter = radios(
        _l("Do you need an interpreter?"),
        YES_NO,
        description=_l(
            "We will book a professional interpreter. We never ask "
            "a family member or friend to interpret."
        ),
    )


class OfficerForm(StepForm):
    officer_gender = radios(_l("Would you prefer to speak to a woman or a man?"), GENDERS)


class AccessForm(StepForm):
    access_needs = checkboxes(_l("Do you need any of these to talk to us?"), ACCESS)
    access_other = text(_l("Anything else that would help you talk to us"))


class HelpForm(StepForm):
    help = checkboxes(
        _l("What would help?"), HELP, description=_l("Choose as many as you like, or none.")
    )
    help_more = text(_l("Anything else you want to tell us"), long=True)


class AboutForm(StepForm):
    name = text(_l("Your name"), description=_l("Or what you would like us to call you."))
    address = text(
        _l("Your address or postcode"),
        long=True,
        description=_l(
            "This helps us find your tenancy. We will only write to you if you said that is safe."
        ),
    )


# -- a concern about someone else ------------------------------------------


class PersonDangerForm(StepForm):
    danger = radios(_l("Is the person in danger right now?"), YES_NO)


class RelationshipForm(StepForm):
    relationship = radios(_l("Who are they to you?"), RELATIONSHIPS)


class SeenForm(StepForm):
    seen = text(
        _l("What have you seen or heard?"),
        long=True,
        required=_l("Tell us what you have seen or heard"),
        description=_l("Whatever you can: what happened, and when."),
    )


class PersonForm(StepForm):
    person_name = text(_l("Their name"))
    person_address = text(_l("Their address, or where they live"), long=True)


class KnowsForm(StepForm):
    person_knows = radios(_l("Does the person know you are telling us?"), YES_NO_UNSURE)


class NotSafeForm(StepForm):
    not_safe = text(
        _l("Is there anyone it is not safe for us to talk to?"),
        long=True,
        description=_l("For example, the person you think is harming them."),
    )


class ReachForm(StepForm):
    reach = text(
        _l("How could we reach the person safely?"),
        long=True,
        description=_l("Only if you know. For example, a time they are alone, or a place they go."),
    )


class ReporterForm(StepForm):
    method = radios(
        _l("Can we contact you?"),
        REPORTER_METHODS,
        required=_l("Choose whether we can contact you"),
    )
    reporter_name = text(_l("Your name (if you want to give it)"))
    reporter_phone = text(
        _l("Your phone number"),
        validators=[uk_phone],
        render_kw=PHONE_BOX,
        when=required_when("method", contact.CALL.code, message=_l("Enter your phone number")),
    )
    reporter_email = text(
        _l("Your email address"),
        validators=[email_address],
        render_kw=EMAIL_BOX,
        when=required_when("method", contact.EMAIL.code, message=_l("Enter your email address")),
    )

    def answers(self) -> dict:
        """Keep only the way back the reporter chose: nothing at all when anonymous."""
        answers = super().answers()
        reach = contact.method(answers["method"]).reach
        if reach != contact.PHONE:
            answers["reporter_phone"] = None
        if reach != contact.EMAIL_ADDRESS:
            answers["reporter_email"] = None
        if reach is None:
            answers["reporter_name"] = None
        return answers


# -- a way back (both journeys) ------------------------------------------------

PASSPHRASE_PROBLEMS = {
    wayback.TOO_SHORT: _l(
        "Your passphrase needs at least %(min)d characters. Try three or four words "
        "that do not usually go together.",
        min=wayback.MIN_PASSPHRASE,
    ),
    wayback.TOO_LONG: _l(
        "Your passphrase can have at most %(max)d characters", max=wayback.MAX_PASSPHRASE
    ),
    wayback.TOO_COMMON: _l(
        "That passphrase would be too easy to guess. Try three or four words that do "
        "not usually go together, and that the person harming you would not think of."
    ),
    wayback.HAS_REFERENCE: _l("Your passphrase must not contain your reference"),
    wayback.NOT_THE_SAME: _l("The two passphrases are not the same. Type it again in both boxes."),
    wayback.SAME_AS_FIRST: _l("This must be different from the passphrase you already have"),
}
CHOSEN = "chosen"  # what is kept of a passphrase: that there is one


def passphrase_field(label, description=""):
    """Never kept in a draft, never shown again: the page turns it into a
    lock (``webapp/rules/wayback.py``) and keeps only that."""
    return PasswordField(label, validators=[Optional()], description=description)


class PassphraseChecks:
    """Checks a passphrase and its second copy; ``reference`` (and the
    landlord's name in ``others``) are set by the page before validating."""

    reference = ""
    others: tuple[str, ...] = ()
    required = True
    first: wayback.Locks | None = None  # the second passphrase must not open this

    def check_passphrase(self) -> bool:
        passphrase, again = self.passphrase.data or "", self.passphrase_again.data or ""
        if not self.required:
            return True
        if not passphrase:
            self.passphrase.errors.append(_l("Choose a passphrase"))
            return False
        problem = wayback.passphrase_problem(passphrase, self.reference, self.others)
        if problem is None and passphrase != again:
            problem = wayback.NOT_THE_SAME
        if problem:
            target = self.passphrase_again if problem == wayback.NOT_THE_SAME else self.passphrase
            target.errors.append(PASSPHRASE_PROBLEMS[problem])
            return False
        return True


PASSPHRASE_HINT = _l(
    "Something you will remember, that the person harming you would not guess. Do not "
    "write it down on your phone, and if your browser offers to save it, say no. We "
    "never show it again and cannot find it for you if it is lost."
)


class PassphraseForm(StepForm, PassphraseChecks):
    """For “Write to me on this site”: the way back is how we reach her."""

    passphrase = passphrase_field(_l("Choose a passphrase"), description=PASSPHRASE_HINT)
    passphrase_again = passphrase_field(_l("Type your passphrase again"))

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) & self.check_passphrase()

    def answers(self) -> dict:
        return {"passphrase": CHOSEN}


class WayBackForm(StepForm, PassphraseChecks):
    """The optional way back, for any other way of contacting her."""

    way_back = radios(
        _l("Do you want a way back to this request?"),
        YES_NO,
        default="no",
        description=_l(
            "You could come back to this site with your reference and a passphrase, to "
            "read what we write, write to us, or change how we contact you. Nothing is "
            "sent to you."
        ),
    )
    passphrase = passphrase_field(_l("Choose a passphrase"), description=PASSPHRASE_HINT)
    passphrase_again = passphrase_field(_l("Type your passphrase again"))
    write_here = radios(
        _l("May we also write to you here?"),
        YES_NO,
        default="no",
        description=_l("We would write here as well as contacting you the way you chose."),
    )

    @property
    def required(self) -> bool:
        return self.way_back.data == "yes"

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) & self.check_passphrase()

    def answers(self) -> dict:
        wanted = self.way_back.data == "yes"
        return {
            "way_back": self.way_back.data,
            "passphrase": CHOSEN if wanted else None,
            "write_here": self.write_here.data if wanted else None,
        }


class SendForm(StepForm):
    """The check-your-answers page: only the Send button."""
