"""Storage: the SQLite history, private to its user. May import the core only."""
