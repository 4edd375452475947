"""The faces: the JSON batch, the interactive questionnaire and the history command, built from the layers
below (core, render, storage, io). Never imports the CLI."""
