"""The staff forms: sign-in, and the casework on a referral."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from webapp import presentation as words
from webapp.referrals.forms import options
from webapp.rules import contact, wayback


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
