"""``{% once %}…{% endonce %}``: a part of the layout rendered once per process (a builtin, see
TEMPLATES in settings; issue 16).

Every page renders the same head links, footer and scripts: static file URLs, fixed URLs and
the service name, the same for every request. ``{% once a b %}`` renders its body the first
time and then returns that text for every render with the same values of ``a`` and ``b``
(say ``user.is_authenticated``), the same script prefix and the same autoescaping. Use it only
for markup that depends on nothing but the values named, settings and fixed URLs: never for
anything of a user, a record, a form or the request (the CSRF token, the CSP nonce). The body
is rendered afresh, and not remembered, when a value is not a plain ``bool``, ``int``, ``str``
or ``None``. Any change of settings (tests' ``override_settings``) forgets every remembered
part.

``{% once a b leaving csrf_token %}`` remembers its body with a hole where the body's
``{% csrf_token %}`` writes the token, and fills the hole with this request's token on every
render: the staff navigation (its sign-out form), the same for everyone who sees the same
partnership, link to the list of cases and unread count (issue 16). The token is the
``csrf_token`` of the context, masked afresh for each request as Django's tag gets it; without
one (``NOTPROVIDED``, no request) the body is rendered afresh.

It also gives every template its ``{% extends %}`` (a builtin after Django's): Django's, except
that the root layout's blocks are found once per compiled layout instead of on every render.
Django's ``ExtendsNode`` walked the whole of ``base.html``'s node tree on every page to find
its ``{% block %}`` nodes (a third of rendering the accessibility page, issue 16); the tree of
a compiled template does not change, so the blocks found are kept on it.
"""

from __future__ import annotations

import secrets
import weakref

from django import template
from django.core.signals import setting_changed
from django.template.base import Template, TextNode
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    ExtendsNode,
    do_extends,
)
from django.urls import get_script_prefix
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_KEY_TYPES = (bool, int, str, type(None))
# Each {% once %} keeps at most this many renderings (one per set of values): the staff
# navigation's keys are partnerships × unread counts.
MAX_KEYS = 256
_NODES: weakref.WeakSet[OnceNode] = weakref.WeakSet()
# Stands for the CSRF token while a body ``leaving csrf_token`` is rendered: letters and digits
# (as a token is), new in each process, so no page's text can hold it.
_TOKEN_HOLE = f"csrftokenhole{secrets.token_hex(16)}"
# What Django's csrf context processor gives when there is no token (not a secret).
_NOT_PROVIDED = "NOTPROVIDED"


class OnceNode(template.Node):
    def __init__(self, nodelist, values, leave_token: bool = False):
        self.nodelist = nodelist
        self.values = values
        self.leave_token = leave_token
        # The body's text, or with ``leave_token`` its parts around the token.
        self.rendered: dict[tuple, str | tuple[str, ...]] = {}
        _NODES.add(self)

    def render(self, context):
        values = tuple(value.resolve(context) for value in self.values)
        if not all(type(value) in _KEY_TYPES for value in values):
            return self.nodelist.render(context)
        # The type too: True and 1 are equal keys.
        key = (
            get_script_prefix(),
            context.autoescape,
            *((type(value), value) for value in values),
        )
        found = self.rendered.get(key)
        if found is None:
            if self.leave_token:
                return self._render_leaving_token(context, key)
            found = self.nodelist.render(context)
            if len(self.rendered) < MAX_KEYS:
                self.rendered[key] = found
        if type(found) is not tuple:
            return found
        token = _csrf_token(context)
        if token is None:
            return self.nodelist.render(context)
        return mark_safe(token.join(found))  # the parts and the token are escaped

    def _render_leaving_token(self, context, key: tuple):
        token = _csrf_token(context)
        if token is None:
            return self.nodelist.render(context)
        with context.push(csrf_token=_TOKEN_HOLE):
            text = self.nodelist.render(context)
        parts = tuple(text.split(_TOKEN_HOLE))
        if len(self.rendered) < MAX_KEYS:
            self.rendered[key] = text if len(parts) == 1 else parts
        return mark_safe(token.join(parts))  # the parts and the token are escaped


def _csrf_token(context) -> str | None:
    """The request's CSRF token as ``{% csrf_token %}`` writes it (escaped, as ``format_html``
    does), or None where that tag writes no token."""
    token = context.get("csrf_token")
    if not token or token == _NOT_PROVIDED:
        return None
    return conditional_escape(token)


@register.tag
def once(parser, token):
    """``{% once value … [leaving csrf_token] %}`` body ``{% endonce %}``: see the module's
    docstring."""
    bits = token.split_contents()[1:]
    leave_token = bits[-2:] == ["leaving", "csrf_token"]
    if leave_token:
        bits = bits[:-2]
    values = [parser.compile_filter(bit) for bit in bits]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, values, leave_token)


def forget_all(**kwargs) -> None:
    for node in _NODES:
        node.rendered.clear()


setting_changed.connect(forget_all, dispatch_uid="core.templatetags.layout.forget_all")


class RememberedExtendsNode(ExtendsNode):
    """Django's ``ExtendsNode`` (5.2's ``render``, line for line), the root layout's blocks
    found once per compiled template (``_root_blocks``)."""

    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = _root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


def _root_blocks(parent: Template) -> dict[str, BlockNode] | None:
    """The ``{% block %}`` nodes of ``parent`` by name if it extends nothing (it is the root
    layout), else None, as Django's ``ExtendsNode.render`` finds them; kept on the template
    (``add_blocks`` only reads the dict)."""
    if "_root_blocks" not in parent.__dict__:
        found = None
        for node in parent.nodelist:
            # The ExtendsNode has to be the first non-text node.
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    found = {n.name: n for n in parent.nodelist.get_nodes_by_type(BlockNode)}
                break
        parent.__dict__["_root_blocks"] = found
    return parent.__dict__["_root_blocks"]


@register.tag("extends")
def extends(parser, token):
    """Django's ``{% extends %}``, rendered by ``RememberedExtendsNode``."""
    node = do_extends(parser, token)
    return RememberedExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
