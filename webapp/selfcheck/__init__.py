"""The private "is this abuse?" check, for a resident (``/is-this-abuse``) and
for someone worried about another person (``/is-this-abuse/someone-else``).

``routes.py`` serves both; the statements, the forms of abuse they belong to
and the signs of danger are plain data in ``webapp/rules/selfcheck.py``; the
words people read are in ``words.py``. Nothing is stored, logged or put in an
address, and no cookie is set: see ``routes.py``.
"""


def init_app(app) -> None:
    from webapp.security import csrf
    from webapp.selfcheck import routes
    from webapp.settings import derive_key

    app.extensions["selfcheck_form_key"] = derive_key(app.config["SECRET_KEY"], "selfcheck form")
    # The form carries a token of its own, which needs no cookie (routes.py).
    csrf.exempt(routes.bp)
    app.register_blueprint(routes.bp)
