"""The Jinja2 set-up every HTML rendering uses: autoescape on, undefined names an error.

Each package that renders HTML makes one environment with ``html_environment`` at import time and
keeps its templates in its own ``templates/`` folder (shipped as package data). Every ``{{ }}``
is escaped; nothing from a feed is ever marked safe. The only unescaped values are the markup
Jinja2 itself builds (a macro's output, which is already escaped inside).
"""

from __future__ import annotations

import html

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


def _escape(value: object) -> object:
    """Escape with ``html.escape`` (``&quot;`` and ``&#x27;``) instead of markupsafe's spelling.

    Both escape the same five characters (``& < > " '``); this keeps the bytes recipients got
    before the templates existed, so the golden files show only real changes. Markup (a macro's
    output) passes through as autoescape would let it.
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value), quote=True))


def html_environment(package: str) -> Environment:
    """An environment loading ``<package>/templates/*.j2``, escaping every expression.

    ``keep_trailing_newline``, ``trim_blocks`` and ``lstrip_blocks`` let a template lay out one
    tag a line and still produce exactly the output it shows.
    """
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
