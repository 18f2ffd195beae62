"""The forms of the way back. Every text box has a length limit; the
passphrase boxes are never filled in again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.referrals import forms as journey_forms
from webapp.rules import wayback

REFERENCE_BOX = {"dir": "ltr"}


class OpenForm(FlaskForm):
    reference = StringField(
        _l("Your reference"),
        validators=[DataRequired(_l("Enter your reference")), Length(max=40)],
        description=_l("It looks like K7M-4QP."),
        render_kw=REFERENCE_BOX,
    )
    passphrase = PasswordField(
        _l("Your passphrase"),
        validators=[
            DataRequired(_l("Enter your passphrase")),
            Length(max=wayback.MAX_PASSPHRASE),
        ],
    )


def message_box(label, required, description=""):
    return TextAreaField(
        label,
        validators=[
            DataRequired(required),
            Length(
                max=wayback.MAX_MESSAGE,
                message=_l("Please use %(max)d characters or fewer", max=wayback.MAX_MESSAGE),
            ),
        ],
        description=description,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class WriteForm(FlaskForm):
    text = message_box(
        _l("Write to us"),
        _l("Write your message"),
        _l("Only our team can read it. We will answer here."),
    )


class AddForm(FlaskForm):
    text = message_box(
        _l("What would you like to add?"),
        _l("Write what you would like to add"),
        _l("Anything you forgot, or anything that has changed."),
    )


class ConfirmForm(FlaskForm):
    """A button that does one thing: only its security token is checked."""


class SecondPassphraseForm(FlaskForm, journey_forms.PassphraseChecks):
    passphrase = PasswordField(
        _l("Choose a second passphrase"),
        validators=[Optional()],
        description=_l("It must be different from your passphrase, and hard to guess."),
    )
    passphrase_again = PasswordField(_l("Type it again"), validators=[Optional()])

    def validate(self, extra_validators=None):
        return super().validate(extra_validators) & self.check_passphrase()


class WriteHereForm(journey_forms.StepForm):
    write_here = journey_forms.radios(
        _l("May we also write to you here?"),
        journey_forms.YES_NO,
        default="no",
        description=_l("We would write here as well as contacting you the way you chose."),
    )
