"""``{% url %}``, remembering the URLs it has built (a builtin after Django's, see TEMPLATES in
settings, so every template's ``{% url %}`` is this one; issue 16).

Django's ``reverse`` costs 30–60 µs a call, and every staff page calls it ten times for its
layout alone (header, service navigation, footer) and often dozens of times for its rows. A URL
is the same whenever the URL configuration, the script prefix, the language, the current
namespace, the view name and the arguments are: all of them are in the key, so a remembered
URL is the one ``reverse`` would build. Only plain ``str`` and ``int`` arguments are keys (not
``bool``, whose hash equals an int's; not model instances or lazy strings, which go to
``reverse`` every time). A failed reverse is not remembered. The cache keeps the most recent
``CACHED_URLS`` URLs; it holds URLs only, nothing of a user or a record but its id, which is
in the URL anyway.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

CACHED_URLS = 4096
_KEY_TYPES = (str, SafeString, int)


@lru_cache(maxsize=CACHED_URLS)
def _reverse(resolver, prefix, language, current_app, view_name, args, kwargs) -> str:
    # resolver, prefix and language are only the key: reverse reads them itself.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _as_key(values) -> bool:
    return all(type(value) in _KEY_TYPES for value in values)


def reverse_remembered(view_name, args: list, kwargs: dict, current_app, where=None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``. ``where``:
    the URL configuration's resolver and the script prefix, if the caller has them."""
    if (
        type(view_name) in _KEY_TYPES
        and _as_key(args)
        and _as_key(kwargs.values())
        and (current_app is None or type(current_app) is str)
    ):
        resolver, prefix = where or _where()
        return _reverse(
            resolver,
            prefix,
            get_language(),
            current_app,
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
        )
    return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)


def _where() -> tuple:
    return get_resolver(get_urlconf()), get_script_prefix()


class RememberedURLNode(URLNode):
    def render(self, context):
        # URLNode.render, with reverse_remembered for reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            # The URL configuration and the script prefix are set before a view runs and stay
            # for its rendering: read once per rendering (a Context; includes share it).
            where = context.__dict__.get("_url_where")
            if where is None:
                where = context._url_where = _where()
            url = reverse_remembered(view_name, args, kwargs, current_app, where)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's ``{% url %}`` (same arguments, same result), remembering what it built."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
