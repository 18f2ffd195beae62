from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = StringField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false", "dir": "ltr"})
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password")), Length(max=200)],
        render_kw={"autocomplete": "current-password"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"), validators=[
        DataRequired(message=_l("Enter the code")), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr",
                   "spellcheck": "false"})
