"""What a reader sees of Markdown whose user text the pages escaped: AppTest gives the Markdown source."""

from __future__ import annotations

import re

# A backslash before ASCII punctuation is a Markdown escape: the character is shown, the backslash is not. A word
# joiner (U+2060, kept out of links by core.wording.escape_markdown) is not shown at all.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|\u2060")


def shown(markdown: str) -> str:
    """The text as shown: ``shown("Not saved\\\\: low \\\\<= high")`` is ``"Not saved: low <= high"``.

    >>> shown("source\\\\_system \\\\$5 a\\u2060@b")
    'source_system $5 a@b'
    """
    return _ESCAPE.sub(r"\1", markdown)
