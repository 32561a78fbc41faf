"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py` (README).

The app, and with it the library's sentence model, is loaded once in the master process
(``preload_app``), then the library search's catalogue (``when_ready``), and the workers are
forked from it: they share that memory and none waits for it on its first search (docs/search.md,
"In the web server", has the figures). Each worker runs the model on one thread.

Environment: GUNICORN_BIND (127.0.0.1:8000), WEB_CONCURRENCY (workers, 2), GUNICORN_TIMEOUT
(seconds, 30); LIBRARY_WARM_UP (true here), LIBRARY_EMBED_THREADS (1) and TOKENIZERS_PARALLELISM
(false) may be set to override.
"""

import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
preload_app = True

# Read by the settings and the library when the master loads the app (before any fork). One
# onnxruntime thread: it then starts no thread pool that a forked worker would lack, and the
# workers do not compete for the cores. The tokenizer's own threads are off for the same reason.
os.environ.setdefault("LIBRARY_WARM_UP", "true")
os.environ.setdefault("LIBRARY_EMBED_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def when_ready(server):
    """In the master, after it loaded the app (and the model) and before it forks the workers:
    the library search's catalogue and vocabulary, which the workers then share until the
    library changes. Its database connection is closed before any fork."""
    from django.db import connections

    from safeguarding.library.startup import load_catalogue

    load_catalogue()
    connections.close_all()


def post_fork(server, worker):
    """A worker opens its own database connections: none is carried over from the master."""
    from django.db import connections

    connections.close_all()
