"""Tags: parsing and normalising the topic tags that spaces and threads carry."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from flask_babel import gettext as _

from community.errors import OperationError

MAX_TAGS = 5
MAX_TAG_LENGTH = 30
# Letters of any script, digits, and inner hyphens, dots, plus or hash (c++, c#, node.js).
TAG_RE = re.compile(r"^[^\W_](?:[\w.+#-]*[\w+#])?$")


def parse_tags(raw: str | Iterable[str], field: str = "tags") -> list[str]:
    """Split, normalise (NFKC, lower case, spaces → hyphens) and de-duplicate tags.

    Refuses more than :data:`MAX_TAGS`, over-long tags and tags with other characters.
    """
    parts = re.split(r"[,，、\s]+", raw) if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for part in parts:
        tag = unicodedata.normalize("NFKC", part).strip().strip("#").casefold()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise OperationError(
                _("A tag may have at most %(count)d characters.", count=MAX_TAG_LENGTH), field
            )
        if not TAG_RE.match(tag):
            raise OperationError(
                _("Tags use letters, digits and - . + # only: %(tag)s", tag=tag), field
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise OperationError(_("Use at most %(count)d tags.", count=MAX_TAGS), field)
    return tags
