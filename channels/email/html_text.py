"""HTML to plain text for mail that has no text/plain part, keeping quotes recognisable."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "head", "title", "template"})
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "pre",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "blockquote",
    }
)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0]+")


class _TextCollector(HTMLParser):
    """Collects visible text; <blockquote> content comes out as "> " lines like a text reply."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._line_depth = 0
        self._quote_depth = 0
        self._skip_depth = 0
        self._pre_depth = 0
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self._break()
        if tag == "blockquote":
            self._quote_depth += 1
        elif tag == "pre":
            self._pre_depth += 1
        elif tag == "li":
            self._write("- ")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "a":
            self._close_link()
        if tag == "blockquote":
            self._break()
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            first, *rest = data.split("\n")
            self._write(first)
            for line in rest:
                self._break(force=True)
                self._write(line)
            return
        text = _SPACES.sub(" ", data)
        if not self._line:
            text = text.lstrip()
        self._write(text)

    def _write(self, text: str) -> None:
        if not text:
            return
        if not self._line:
            self._line_depth = self._quote_depth
        self._line.append(text)
        if self._href is not None:
            self._link_text.append(text)

    def _close_link(self) -> None:
        # Keep a link's target when its text hides it: citizens paste photo or map links.
        href, self._href = self._href, None
        shown = "".join(self._link_text).strip()
        if href and href.startswith(("http://", "https://")) and href != shown:
            self._write(f" ({href})")

    def _break(self, *, force: bool = False) -> None:
        text = "".join(self._line).rstrip()
        if text or force:
            self.lines.append("> " * self._line_depth + text)
        self._line = []

    def text(self) -> str:
        self._break()
        joined = "\n".join(line.rstrip() for line in self.lines)
        return re.sub(r"\n{3,}", "\n\n", joined).strip()


def html_to_text(html: str) -> str:
    """Visible text of an HTML body: blocks become lines, quotes become "> " lines."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.text()
