"""WSGI entry point: `gunicorn config.wsgi -b 127.0.0.1:8000 -w 2`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
