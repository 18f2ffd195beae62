"""gunicorn settings for Quiet Door: ``gunicorn -c gunicorn.conf.py webapp.wsgi:app``.

Everything can be changed through the environment; the defaults suit a
2-core machine behind a TLS-terminating proxy.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
# Load the app once in the master and fork the workers from it: a broken
# setting stops the start with one clear message, and the workers share the
# memory of the code and translations. Each worker drops any database
# connection it inherited (webapp/db.py). A new release needs a restart,
# not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() != "false"

# The request body limit is enforced by the app (64 KB; the staff content editor's
# page of text, about 1 MB); these bound the line and headers.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# No access log: request lines would carry addresses and timing that say who
# visited. Errors still go to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# gunicorn 27 otherwise opens a control socket under ~/.gunicorn/.
control_socket_disable = True

# Only the proxy in front may say what the client's scheme was.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
