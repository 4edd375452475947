"""Rendering: results, the questionnaire and the history as words, a terminal report, Markdown, a JSON Schema.

May import the core only; never storage, io or the faces.
"""
