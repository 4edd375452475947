"""The exit statuses of `backpain`, documented in README and `--help`."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  #: every record assessed
    REJECTED = 1  #: one or more records rejected (the rest still assessed and printed)
    USAGE = 2  #: usage error: bad option, unreadable file, no input; or the output could not be written
    NOT_SAVED = 3  #: assessed and shown, but not saved to the history as asked (--save, or "yes" at the question)
    INTERNAL = 70  #: a bug in backpain (EX_SOFTWARE); please report it
    WORKER_KILLED = 71  #: a --jobs worker killed from outside, as by the out-of-memory killer (EX_OSERR)
    HANGUP = 129  #: stopped by SIGHUP, its terminal closed (128 + 1)
    INTERRUPTED = 130  #: interrupted (Ctrl-C), or the questionnaire was cancelled
    TERMINATED = 143  #: stopped by SIGTERM (128 + 15, as a shell reports a process it ended)


EXIT_HELP = (
    "Exit status: 0 every record assessed, or the questionnaire ended with advice instead of a result; 1 one or "
    "more records rejected (the rest still assessed and printed); 2 usage error (bad option, unreadable file, no "
    "input) or output that could not be written; 3 assessed and printed, but not saved to the history as asked "
    "(--save, or yes at the save question); 70 internal error (a bug: please report it); 71 a --jobs worker "
    "process was killed (out of memory, say); 129 hung up (SIGHUP); 130 interrupted or cancelled; 143 stopped "
    "by SIGTERM."
)

#: The top-level help: the codes every command shares; each command's --help says what its own mean.
TOP_EXIT_HELP = (
    "Exit status: 0 done; 2 usage error; 70 internal error (a bug: please report it); 130 interrupted or "
    "cancelled; 129 and 143 stopped by SIGHUP or SIGTERM. assess also exits 1 (records rejected), 3 (not saved "
    "to the history) and 71 (a worker killed): see backpain assess --help, and backpain history --help."
)

HISTORY_EXIT_HELP = (
    "Exit status: 0 done; 2 usage error, output that could not be written, or a database that is not a sound "
    "backpain history (it is left untouched); 70 internal error (a bug: please report it); 130 interrupted "
    "(Ctrl-C), also at the question before a deletion (nothing is deleted); 129 and 143 stopped by SIGHUP or "
    "SIGTERM."
)
