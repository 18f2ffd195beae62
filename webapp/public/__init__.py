"""The public site: home, safety guidance and the quick exit (``routes.py``),
the visitor's browser (``browsers.py``), the history guidance
(``guidance.py``) and office hours as people read them (``hours.py``)."""


def init_app(app) -> None:
    from webapp.public import routes

    app.register_blueprint(routes.bp)
