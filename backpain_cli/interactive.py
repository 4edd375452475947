"""The interactive questionnaire (placeholder until the prompts land)."""

from __future__ import annotations

from .env import Environment
from .exit_codes import ExitStatus


def run_interactive(env: Environment, fmt: str | None) -> ExitStatus:
    env.message(
        "the interactive questionnaire is not available in this version; pipe answers as JSON "
        "(backpain assess < answers.json) or use --answers PATH."
    )
    return ExitStatus.USAGE
