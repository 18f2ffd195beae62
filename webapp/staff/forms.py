"""The staff forms: sign-in, the casework on a referral, and the content editor."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from webapp import presentation as words
from webapp.content.library import SLUG
from webapp.referrals.forms import options
from webapp.rules import contact, publishing, wayback


class LoginForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        validators=[DataRequired(message=_l("Enter your email address")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false", "dir": "ltr"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(message=_l("Enter the code")), Length(max=40)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "dir": "ltr",
            "spellcheck": "false",
        },
    )


class AttemptForm(FlaskForm):
    method = RadioField(
        _l("How"),
        choices=options(*words.choices(words.STAFF_METHODS, contact.ATTEMPT_METHODS)),
        validators=[InputRequired(message=_l("Choose how you tried"))],
    )
    outcome = RadioField(
        _l("What happened"),
        choices=options(*words.choices(words.OUTCOMES, contact.ATTEMPT_OUTCOMES)),
        validators=[InputRequired(message=_l("Choose what happened"))],
    )
    at = DateTimeLocalField(
        _l("When (UK time)"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message=_l("Enter when you tried"))],
    )
    override = BooleanField(_l("I am setting these safe-contact rules aside, knowingly"))
    reason = TextAreaField(
        _l("Why it cannot wait or be done another way"),
        validators=[Length(max=1000)],
        description=_l("Sealed like the answers. The override is audited."),
    )


class WriteForm(FlaskForm):
    """A reply she reads on her way back: a contact attempt like any other."""

    text = TextAreaField(
        _l("Your reply"),
        validators=[
            DataRequired(message=_l("Write the reply")),
            Length(
                max=wayback.MAX_MESSAGE,
                message=_l("Please use %(max)d characters or fewer", max=wayback.MAX_MESSAGE),
            ),
        ],
        description=_l(
            "Plain text. They read it only when they come back with their passphrase. "
            "It is signed by the team, never by your name."
        ),
    )
    override = BooleanField(_l("I am setting these safe-contact rules aside, knowingly"))
    reason = TextAreaField(
        _l("Why it cannot wait or be done another way"),
        validators=[Length(max=1000)],
        description=_l("Sealed like the answers. The override is audited."),
    )


class DealtForm(FlaskForm):
    pass


class PressureReviewForm(FlaskForm):
    note = TextAreaField(
        _l("What you checked, and what happens next"),
        validators=[
            DataRequired(message=_l("Say what you checked before lifting the warning")),
            Length(max=4000),
        ],
        description=_l("Kept as a sealed note on the referral."),
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note"), validators=[DataRequired(message=_l("Write the note")), Length(max=4000)]
    )


class CloseForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=options(*words.choices(words.CLOSE_OUTCOMES, contact.CLOSE_OUTCOMES)),
        validators=[InputRequired(message=_l("Choose the outcome"))],
    )


class ReopenForm(FlaskForm):
    pass


class ReassignForm(FlaskForm):
    officer = SelectField(_l("Assign to"), choices=[], validate_choice=True)


# The content editor (staff/content.py): one language of one page or campaign.


class FriendlyDateField(DateField):
    """A date typed in a date box (or as 2026-11-25 where there is none);
    what was typed stays in the box when it is not a date."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a real date, like 2026-11-25")) from None


class FriendlyIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a whole number, like 20")) from None


def one_line(form, field):
    if field.data and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_l("Keep this to one line"))


def no_nul(form, field):
    """A NUL (pasted from a file or a form made by hand) cannot be kept."""
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("Remove the hidden NUL character from this text"))


class NewContentForm(FlaskForm):
    kind = RadioField(
        _l("What are you writing?"),
        choices=options(("pages", _l("An information page")), ("campaigns", _l("A campaign"))),
        validators=[InputRequired(message=_l("Choose a page or a campaign"))],
    )
    slug = StringField(
        _l("Address"),
        validators=[
            DataRequired(message=_l("Enter the address")),
            Regexp(
                rf"^{SLUG.pattern}$",
                message=_l(
                    "Use only lower-case letters, digits and hyphens, at least three, "
                    "like safe-at-home-week"
                ),
            ),
        ],
        description=_l(
            "The end of the page's web address: lower-case letters, digits and hyphens, "
            "like safe-at-home-week. It cannot be changed later."
        ),
        render_kw={"dir": "ltr", "spellcheck": "false"},
    )


class ContentForm(FlaskForm):
    """The front matter's fields as inputs, and the body. A translation's
    dates and place in the lists are its English's (the view sets them)."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Enter the title")),
            Length(max=200),
            one_line,
            no_nul,
        ],
        description=_l("The page's heading and the browser tab's title, on one line."),
    )
    summary = TextAreaField(
        _l("Summary"),
        validators=[DataRequired(message=_l("Enter the summary")), Length(max=600), no_nul],
        description=_l("One or two sentences, shown in lists of pages and campaigns."),
    )
    publish_from = FriendlyDateField(
        _l("First day it shows"),
        validators=[Optional()],
        description=_l("Campaigns need one. Leave a page's empty to show it once approved."),
    )
    publish_until = FriendlyDateField(
        _l("Last day it shows"),
        validators=[Optional()],
        description=_l("It goes at midnight at the end of that day, UK time. Empty: no end."),
    )
    banner = StringField(
        _l("Banner on the home page"),
        validators=[Optional(), Length(max=200), one_line, no_nul],
        description=_l("One line shown at the top of the home page while the campaign is live."),
    )
    order = FriendlyIntegerField(
        _l("Place in the footer list"),
        validators=[
            Optional(),
            NumberRange(min=0, max=9999, message=_l("Enter a number from 0 to 9999")),
        ],
        description=_l(
            "Lower numbers come first. Leave it empty to keep the page off the home page "
            "and footer lists."
        ),
    )
    review_by = FriendlyDateField(
        _l("Check it again by"),
        validators=[Optional()],
        description=_l("The content check reminds you after this day."),
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("Write the text of the page")),
            Length(max=publishing.MAX_TEXT, message=_l("The text is too long")),
            no_nul,
        ],
    )

    def __init__(self, *args, kind: str = "pages", locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.locked = kind, locked  # locked: a translation (its dates are set)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.publish_from.data, self.publish_until.data
        if self.kind == "campaigns" and start is None and not self.publish_from.errors:
            self.publish_from.errors = [
                *self.publish_from.errors,
                _l("Enter the first day it shows"),
            ]
            valid = False
        if start and end and end < start:
            self.publish_until.errors = [
                *self.publish_until.errors,
                _l("The last day must be the first day or after it"),
            ]
            valid = False
        return valid

    def matter(self) -> dict:
        """The front matter, in the shape ``library.compose`` writes."""
        matter = {
            "title": (self.title.data or "").strip(),
            "summary": " ".join((self.summary.data or "").split()),
            "publish_from": self.publish_from.data,
            "publish_until": self.publish_until.data,
            "review_by": self.review_by.data,
        }
        if self.kind == "campaigns":
            matter["banner"] = (self.banner.data or "").strip()
        else:
            matter["order"] = self.order.data
        return matter


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token only."""
