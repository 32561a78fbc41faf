"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py` (README).

The app, and with it the library's sentence model, is loaded once in the master process
(``preload_app``) and the workers are forked from it, so they share the model's memory and none
waits for it on its first search (bench/README.md, "Library search: the model in the web
server", has the figures). Each worker then runs the model on one thread.

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


def post_fork(server, worker):
    """A worker opens its own database connections: none is carried over from the master."""
    from django.db import connections

    connections.close_all()
