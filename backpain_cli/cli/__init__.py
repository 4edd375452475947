"""The command line: the typer app and the entry point. The top layer: nothing imports it."""
