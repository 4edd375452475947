"""Input and output: the process environment, signals and exit statuses, reading and decoding records, private
atomic files and guarded streams. May import the core only; never render, storage or the faces."""
