"""The package's gettext catalogs: `locale/<ll_CC>/LC_MESSAGES/backpain.mo`, one per region.

Thin I/O around stdlib gettext: listing the catalogs, reading one (the package is installed as files).
Imported only when a region is chosen from something other than `intl`, never on the JSON or prompt start-up
path of an `intl` run.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from backpain_cli.core import i18n
from backpain_cli.core.regions import INTL, UnknownRegion, known_codes, locale_of

DOMAIN = "backpain"


def _root() -> Path:
    """The catalogs' folder in the installed package. A plain path, not importlib.resources, whose import
    (zipfile and the rest, about 4 ms) would come before the first question of every regional run."""
    return Path(__file__).resolve().parent.parent / "locale"


@cache
def available() -> tuple[str, ...]:
    """The locale names of the catalogs in the package (`en_GB`, `en_US`, ...), sorted."""
    root = _root()
    return tuple(
        sorted(d.name for d in root.iterdir() if d.is_dir() and (d / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    )


def load(region: str) -> gettext.NullTranslations:
    """The translations of a region (`us`): its catalog; for `intl`, none (messages are as written)."""
    if region == INTL:
        return gettext.NullTranslations()
    locale = locale_of(region, available())
    if locale is None:
        raise UnknownRegion(region, known_codes(available()))
    data = (_root() / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    return gettext.GNUTranslations(io.BytesIO(data))


def install() -> None:
    """Let the core's `_` read the package's catalogs (the command does this as it chooses the region)."""
    i18n.set_loader(load)
