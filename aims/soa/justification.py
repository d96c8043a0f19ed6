"""What makes the justification of an SoA decision meaningful (6.1.3 d): the one rule the
service applies to every new decision (page, API, proposals), the flag the SoA shows on older
decisions that fall short of it, and the warning on placeholder text.

A justification is meaningful when it has at least :data:`MIN_CHARACTERS` characters (spaces at
either end not counted) and at least :data:`MIN_WORDS` words. "x" or "Needed." is refused.
Text such as "n/a", "tbd" or "see above" is not refused (it may sit in a longer sentence), but
warned about: an auditor reads it as no justification.
"""

from __future__ import annotations

import re

MIN_CHARACTERS = 20
MIN_WORDS = 3

# White space as BLANK_TEXT spells it (aims.soa.models), so SQLite and PostgreSQL read it alike.
_SPACE = " \t\n\r\f\v\u00a0"

# The SQL side of :func:`is_meaningful`: three words (runs of non-space characters) and at least
# MIN_CHARACTERS from the first non-space character to the last. ``(.|\n)`` rather than a dot:
# Python's dot stops at a line break, PostgreSQL's does not.
THREE_WORDS = f"[^{_SPACE}]+[{_SPACE}]+[^{_SPACE}]+[{_SPACE}]+[^{_SPACE}]"
LONG_ENOUGH = f"[^{_SPACE}](.|\n){{{MIN_CHARACTERS - 2},}}[^{_SPACE}]"

RULE = f"at least {MIN_CHARACTERS} characters and {MIN_WORDS} words"

# Placeholders: text that stands for a justification without being one.
_PLACEHOLDER = re.compile(
    r"(?<![\w/])(n/a|tbd|tbc|todo|to be (?:defined|decided|determined|confirmed|done)"
    r"|(?:same )?as above|see (?:above|below)|lorem ipsum|placeholder|xxx+)(?![\w/])",
    re.IGNORECASE,
)
# Phrases that restate the decision; a warning when the text says little more than them.
_RESTATEMENT = re.compile(
    r"\b(not|applicable|relevant|required|needed|none|yes|no|control|this|the|is)\b",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return [word for word in re.split(f"[{_SPACE}]+", text or "") if word]


def is_meaningful(text: str) -> bool:
    stripped = (text or "").strip(_SPACE)
    return len(stripped) >= MIN_CHARACTERS and len(_words(stripped)) >= MIN_WORDS


def justification_problem(text: str, *, verb: str) -> str | None:
    """Why ``text`` cannot justify a control being ``verb`` ("included" or "excluded"), or None
    when it can. The message is the field error the page and the API show."""
    stripped = (text or "").strip(_SPACE)
    if not stripped:
        return f"Say why this control is {verb}; auditors ask for it either way."
    if is_meaningful(stripped):
        return None
    found = len(stripped)
    words = len(_words(stripped))
    return (
        f"Say why this control is {verb} in words an auditor can check ({RULE}): the reason "
        "from your risk assessment, a legal or contractual requirement, or what interested "
        f"parties expect. This one has {found} character{'' if found == 1 else 's'} and "
        f"{words} word{'' if words == 1 else 's'}."
    )


def placeholder_warning(text: str) -> str | None:
    """A warning, not a refusal, when ``text`` reads like a placeholder ("n/a", "tbd", "see
    above") or only restates the decision ("Not applicable."); None otherwise."""
    stripped = (text or "").strip(_SPACE)
    if not stripped:
        return None
    match = _PLACEHOLDER.search(stripped)
    if match:
        return (
            f"The justification contains “{match.group(0)}”, which an auditor reads as no "
            "justification: say the reason itself."
        )
    rest = _RESTATEMENT.sub(" ", stripped)
    if len(_words(re.sub(r"[^\w\s]", " ", rest))) < 2:
        return (
            "The justification only restates the decision: say why, from your risk assessment, "
            "a requirement or what interested parties expect."
        )
    return None
