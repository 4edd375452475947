"""Where results go: one sink per output format. The batch loop hands each result (or rejection) to a sink."""

from __future__ import annotations

from typing import Any, Protocol

from .env import Environment


class Sink(Protocol):
    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        """One result (ok) or one rejection (not ok); `answers` are the validated answers behind a result."""
        ...

    def close(self) -> None: ...


class JsonSink:
    """One JSON object for a single document; JSON Lines, one line per record, for a batch."""

    def __init__(self, env: Environment, batch: bool) -> None:
        import msgspec

        self.out = env.stdout
        self.batch = batch
        self.encode = msgspec.json.Encoder().encode
        self.format = msgspec.json.format

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        if self.batch:
            self.out.write(self.encode(out) + b"\n")
        else:
            self.out.write(self.format(self.encode(out), indent=2) + b"\n")

    def close(self) -> None:
        self.out.flush()


class TextSink:
    """Plain text: each result in full, a rejection as one line."""

    def __init__(self, env: Environment, batch: bool) -> None:
        from .plain import render

        self.render = render
        self.out = env.stdout
        self.batch = batch

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        text = self.render(out) if ok else f"Record {out['line']}: rejected: {out['error']}\n"
        self.out.write(text.encode() + (b"\n" if self.batch else b""))

    def close(self) -> None:
        self.out.flush()


def make_sink(fmt: str, env: Environment, batch: bool) -> Sink:
    if fmt == "text":
        return TextSink(env, batch)
    return JsonSink(env, batch)
