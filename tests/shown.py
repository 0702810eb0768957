"""What a reader sees of Markdown whose user text the pages escaped: AppTest gives the Markdown source."""

from __future__ import annotations

import re

# A backslash before ASCII punctuation is a Markdown escape: the character is shown, the backslash is not.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """The text as shown: ``shown("Not saved\\\\: low \\\\<= high")`` is ``"Not saved: low <= high"``.

    >>> shown("source\\\\_system \\\\$5 a\\\\@b")
    'source_system $5 a@b'
    """
    return _ESCAPE.sub(r"\1", markdown)
