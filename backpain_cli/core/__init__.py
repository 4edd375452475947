"""The pure core: answers in, assessment out.

The questionnaire's one definition, validation, the triage policy, the engine and the explanation. No I/O, and
nothing from the layers above: importable without typer, rich, questionary or sqlite3 (checked by the import
contracts in pyproject.toml).
"""
