"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py webapp.wsgi:app``.

With ``preload_app`` (the default in ``gunicorn.conf.py``) this module runs
once, in the master, before the workers are forked. What is loaded here (the
templates, every language's catalogue and locale data, the published content) is
then shared by all the workers instead of being loaded again by each.
"""

import gc
import os

from webapp import create_app, warm

# Served by gunicorn means production (HSTS, https, Secure cookies, no secret
# or key made up on the spot) unless QD_ENV says otherwise, as the tests do.
os.environ.setdefault("QD_ENV", "production")
app = create_app()
if "staff_keys_problem" in app.extensions:  # a staff instance cannot serve without it
    raise SystemExit(app.extensions["staff_keys_problem"])
warm.up(app)
gc.freeze()  # the objects made so far: garbage collection leaves their pages shared
