"""The exit statuses of `backpain`, documented in README and `--help`."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  #: every record assessed
    REJECTED = 1  #: one or more records rejected (the rest still assessed and printed)
    USAGE = 2  #: usage error: bad option, unreadable file, no input
    NOT_SAVED = 3  #: assessed and shown, but not saved to the history (--save) as asked; stderr says why
    INTERNAL = 70  #: a bug in backpain (EX_SOFTWARE); please report it
    WORKER_KILLED = 71  #: a --jobs worker killed from outside, as by the out-of-memory killer (EX_OSERR)
    HANGUP = 129  #: a batch stopped by SIGHUP, its terminal closed (128 + 1)
    INTERRUPTED = 130  #: interrupted (Ctrl-C), or the questionnaire was cancelled
    TERMINATED = 143  #: a batch stopped by SIGTERM (128 + 15, as a shell reports a process it ended)


EXIT_HELP = (
    "Exit status: 0 every record assessed, or the questionnaire ended with advice instead of a result; 1 one or "
    "more records rejected (the rest still assessed and printed); 2 usage error (bad option, unreadable file, no "
    "input); 3 assessed and printed, but not saved to the history; 70 internal error (a bug: please report it); "
    "71 a --jobs worker process was killed (out of memory, say); "
    "129 hung up (SIGHUP); 130 interrupted or cancelled; 143 stopped by SIGTERM."
)
