"""Regions: which words, spelling and emergency number the results and screens use.

A region is chosen by `--region CODE`, else `BACKPAIN_REGION`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`,
the first one set: `en_US.UTF-8` gives `us`), else `intl`: the neutral wording the messages are written in, which
lists the three common emergency numbers. Every other region is one gettext catalog in the package,
`locale/<ll_CC>/LC_MESSAGES/backpain.mo`, and its code is the catalog's country, lower-case (`en_US` is `us`):
adding a region or a language is adding a catalog, not code.

Pure: no I/O, no third-party imports. The catalogs in the package are listed by `catalogs.available()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

#: The messages' own wording: no catalog, all three emergency numbers.
INTL = "intl"

#: Where a region can come from, in the order they are looked at (the option comes first of all).
ENV_REGION = "BACKPAIN_REGION"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_LOCALE = re.compile(r"(?P<lang>[A-Za-z]{2,3})(?:_(?P<country>[A-Za-z]{2}|[0-9]{3}))?(?:[.@].*)?")


class UnknownRegion(ValueError):
    """A region code with no catalog: the message lists the known codes."""

    def __init__(self, code: str, known: Iterable[str], where: str = "--region") -> None:
        self.code = code
        self.known = tuple(known)
        super().__init__(f"{where}: unknown region {code!r}; known regions: {', '.join(self.known)}.")


def code_of_locale(locale: str) -> str:
    """The region code of a catalog's locale name: `en_US` is `us`."""
    return locale.partition("_")[2].lower() or locale.lower()


def locale_region(value: str) -> str | None:
    """The region code a locale setting names (`en_US.UTF-8` is `us`), or None (`C`, `POSIX`, `en`)."""
    match = _LOCALE.fullmatch(value.strip())
    if match is None or not match["country"]:
        return None
    return match["country"].lower()


def known_codes(locales: Iterable[str]) -> tuple[str, ...]:
    """Every region code: `intl`, then one per catalog, sorted."""
    return (INTL, *sorted({code_of_locale(x) for x in locales}))


def choose(option: str | None, environ: Mapping[str, str], locales: Callable[[], Iterable[str]]) -> str:
    """The region: `option`, else $BACKPAIN_REGION, else the locale, else `intl`. `locales()` gives the catalogs'
    locale names (`en_US`, ...), asked only when a code must be checked. An unknown code given outright (the
    option or $BACKPAIN_REGION) raises UnknownRegion; a locale with no catalog (`fr_FR`) gives `intl`: the locale
    is a hint, not a request."""
    for given, where in ((option, "--region"), (environ.get(ENV_REGION), ENV_REGION)):
        if given is not None and given.strip():
            code = given.strip().lower()
            if code == INTL:
                return INTL
            codes = known_codes(locales())
            if code not in codes:
                raise UnknownRegion(given, codes, where)
            return code
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:  # POSIX: the first one set wins, even when it names no region (LC_ALL=C)
            found = locale_region(value)
            return found if found is not None and found in known_codes(locales()) else INTL
    return INTL


def locale_of(code: str, locales: Iterable[str]) -> str | None:
    """The catalog's locale name for a region code (`us` is `en_US`); None for `intl` (no catalog)."""
    if code == INTL:
        return None
    return next((x for x in sorted(locales) if code_of_locale(x) == code), None)
