"""HTML fragment -> plain text: drop tags, scripts and styles, decode entities, collapse whitespace.

Feed text is hostile input; this never raises and never returns markup. The result is for matching
and for display after escaping, not for re-rendering as HTML.
"""

from __future__ import annotations

from html.parser import HTMLParser

from monitors.untrusted import collapse_whitespace

# Tags whose boundaries separate words ("<p>a</p><p>b</p>" is "a b", not "ab").
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
    }
)
# Tags whose content is never text a reader sees.
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, entities decoded, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return collapse_whitespace(fragment)
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return collapse_whitespace("".join(parser.parts))


class _TitleExtractor(HTMLParser):
    """The text of a document's first ``<title>`` (nothing else is read into it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._inside = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self._done:
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._inside:
            self._inside, self._done = False, True

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.parts.append(data)


def html_title(document: str) -> str:
    """A page's ``<title>``, entities decoded, whitespace collapsed; '' when it has none.

    ``html_to_text`` leaves the title out (it is no part of the visible text); a page checked
    against the claims is scored on both, like a feed entry's title and summary."""
    parser = _TitleExtractor()
    parser.feed(document)
    parser.close()
    return collapse_whitespace("".join(parser.parts))


def html_text_and_title(document: str) -> tuple[str, str]:
    """A whole page's visible text and its title (see ``html_to_text`` and ``html_title``)."""
    return html_to_text(document), html_title(document)
