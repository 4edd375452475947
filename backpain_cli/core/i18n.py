"""gettext glue: the words of one region, for the core and the faces.

Every user-facing message is written in the `intl` wording and goes through `_` (or is marked with `N_` where
it is defined and passed through `_` where it is used), so that `tools/catalogs.py` can extract it. The region
of the process is set once, by the command (`use`); `_` then translates with that region's catalog, loaded the
first time it is needed and never for `intl`, whose `_` returns the message as it is.

Pure: no I/O, no third-party imports. The catalogs are read by `backpain_cli.io.catalogs.load` (stdlib
gettext), which the command installs as the loader (`set_loader`) and which runs only when a region other than
`intl` first translates a message. A library caller installs it too (`backpain_cli.io.catalogs.install()`), or
`register`s a translation of its own (any object with a `gettext` method, such as `gettext.NullTranslations`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from backpain_cli.core.regions import INTL

Translate = Callable[[str], str]


class Translations(Protocol):
    def gettext(self, message: str, /) -> str: ...


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; `_` translates it where it is used."""
    return message


def _identity(message: str) -> str:
    return message


_region = INTL
_translators: dict[str, Translate] = {INTL: _identity}
_loader: Callable[[str], Translations] | None = None


def use(region: str) -> None:
    """Set the region of this process (the command's `--region`, environment or locale)."""
    global _region
    _region = region


def current() -> str:
    """The region of this process (`intl` unless `use` said otherwise)."""
    return _region


def set_loader(loader: Callable[[str], Translations]) -> None:
    """How a region's translations are found the first time it translates (the package's catalogs)."""
    global _loader
    _loader = loader


_on_register: list[Callable[[str], None]] = []


def on_register(forget: Callable[[str], None]) -> None:
    """Have `forget(region)` called whenever a region's translations are replaced (`register`): what a module
    keeps in a region's words (the engine's reasons) must then be made again."""
    _on_register.append(forget)


def register(region: str, translations: Translations) -> None:
    """Use `translations` for `region` from now on, instead of the package's catalog."""
    _translators[region] = translations.gettext
    for forget in _on_register:
        forget(region)


def translator(region: str | None = None) -> Translate:
    """The function that puts a message in `region`'s words (default: this process's region)."""
    region = _region if region is None else region
    found = _translators.get(region)
    if found is None:
        if _loader is None:
            raise LookupError(
                f"no translations for region {region!r}: call backpain_cli.io.catalogs.install() first, "
                "or i18n.register() a translation"
            )
        found = _translators[region] = _loader(region).gettext  # once per region, never for intl
    return found


def _(message: str) -> str:
    """`message` (in the intl wording) in this process's region's words."""
    if _region == INTL:
        return message
    return translator()(message)


class Words(dict[str, str]):
    """A table of messages (marked with `N_`) whose values come out in this process's region's words when looked
    up (`words[key]`, `words.get(key)`), passed through `shape` if given; iterating, `values()` and `items()` give
    the messages as written."""

    def __init__(self, messages: dict[str, str], shape: Callable[[str], str] | None = None) -> None:
        super().__init__(messages)
        self.shape = shape

    def __getitem__(self, key: str) -> str:
        text = _(super().__getitem__(key))
        return text if self.shape is None else self.shape(text)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self.__getitem__(key) if key in self else default
