"""Entry point for `python main.py` and the `source-aroflo` console script.

The CDK's `launch`, with these changes:
- pages of records are written as blocks of RECORD lines (`output.py`: the CPU cost of the CDK's
  per-record message path, and null columns kept);
- the `--config`, `--catalog` and `--state` files are checked first: a missing file, one that is
  not JSON or holds a list where an object belongs is one config_error trace naming the file and
  the problem (`state.read_input_file`), not the CDK's "Something went wrong";
- an uncaught exception becomes one error trace instead of a traceback in the log, so a person
  running `check` or `read` with a bad config or a failing API reads one line;
- Ctrl-C (SIGINT) or a cancel (SIGTERM, what Airbyte and `docker stop` send) stops the command
  where it is, with one WARN line and no traceback, and exit code 130 / 143 (128 + the signal's
  number, as a shell reports a process the signal stopped). Every line written is whole: the
  signal never interrupts a write (`_Signals`), and nothing is written after that last line.
  The handling is in place before the CDK is imported (that takes about 2 s), so a signal during
  start-up ends the same way: this module imports only the standard library at its top.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import threading
import time
from typing import Any, List, NoReturn, Optional, Tuple

_OWN_LOCK = threading.RLock()  # until the CDK (and its print buffer) is loaded


def print_lock() -> Any:
    """The lock every write to stdout is made under: the CDK's print buffer's, once it is loaded."""
    seams = sys.modules.get(f"{__package__}.cdk_seams")
    return seams.print_lock() if seams is not None else _OWN_LOCK


def flush_prints() -> None:
    seams = sys.modules.get(f"{__package__}.cdk_seams")
    if seams is not None:
        seams.flush_prints()


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the command stops where it is."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


SIGNALS = {signal.SIGINT, signal.SIGTERM}
_WAKE = getattr(signal, "SIGUSR1", None)  # what the watcher interrupts the main thread with


class _Signals:
    """Turns SIGINT and SIGTERM into `Interrupted`, raised in the main thread, never while it
    writes output.

    A signal that lands on a thread in the middle of writing to a pipe cuts the write short,
    and with an unbuffered stdout (`PYTHONUNBUFFERED`, common in images) the rest of the page
    would be silently lost while the page's STATE still went out. So the main thread (and every
    thread it starts) blocks both signals; a watcher thread takes them (`sigwait`) and, holding
    the print buffer's lock (every write to stdout is made under it, so no write is under way),
    interrupts the main thread with `_WAKE`, whose handler raises `Interrupted` there.
    Where signal masks do not exist (Windows) the handler raises at once.
    """

    FORCE_AFTER = 5.0  # seconds: a signal this long after the first stops the process at once

    def __init__(self) -> None:
        self.signum: Optional[int] = None  # the first signal received
        self.asked_at = 0.0
        self.stopping = False
        self.command = "read"
        self._raised = threading.Event()
        self._main: Optional[int] = None
        self._watcher: Optional[threading.Thread] = None

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # embedded in another program's thread: signals are that program's business
        if _WAKE is None or not all(hasattr(signal, f) for f in ("pthread_sigmask", "sigwait", "pthread_kill")):
            for signum in SIGNALS:
                signal.signal(signum, self._raise_now)
            return
        self._main = threading.get_ident()
        signal.signal(_WAKE, self._on_wake)
        for signum in SIGNALS:  # runs only if a thread started before run() took the signal
            signal.signal(signum, self._forward)
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        self._watcher = threading.Thread(target=self._watch, name="aroflo-signals", daemon=True)
        self._watcher.start()

    def stop(self) -> NoReturn:
        self.stopping = True
        stop(self.signum or signal.SIGINT, self.command)

    def _watch(self) -> None:
        while True:
            signum = signal.sigwait(SIGNALS)
            if self.stopping:
                continue
            if self.signum is not None:
                # Already stopping. Only if that takes long (the main thread is stuck) does a
                # further signal end the process, with the same last line.
                if time.monotonic() - self.asked_at > self.FORCE_AFTER:
                    self.stop()
                continue
            self.signum, self.asked_at = signum, time.monotonic()
            lock = self._take_print_lock()  # now the main thread is not writing, and cannot start to
            try:
                signal.pthread_kill(self._main, _WAKE)
                self._raised.wait(2)
            finally:
                lock.release()

    def _take_print_lock(self) -> Any:
        """The print buffer's lock, taken; while a write holds it (stdout is not being read), a
        further signal after `FORCE_AFTER` still ends the process."""
        pending = getattr(signal, "sigtimedwait", None)
        while True:
            lock = print_lock()  # the CDK's once loaded: asked again each time
            if lock.acquire(timeout=0.5):
                return lock
            if pending is not None and pending(SIGNALS, 0) is not None \
                    and time.monotonic() - self.asked_at > self.FORCE_AFTER:
                self.stop()

    def _on_wake(self, signum: int, frame: Any) -> None:
        if self.signum is None or self.stopping or self._raised.is_set():
            return  # not the watcher's (someone sent SIGUSR1), or already raised
        self._raised.set()
        raise Interrupted(self.signum)

    def _forward(self, signum: int, frame: Any) -> None:
        if self._watcher is not None:
            signal.pthread_kill(self._watcher.ident, signum)

    def _raise_now(self, signum: int, frame: Any) -> None:
        if self.stopping or self.signum is not None:
            return
        self.signum = signum
        raise Interrupted(signum)


def interrupted_message(signum: int, command: str) -> str:
    name = signal.Signals(signum).name
    if command == "read":
        return (f"The sync was interrupted ({name}) before it finished: the state up to the last checkpoint "
                f"(the last STATE message) is safe, and the next sync resumes from it.")
    return f"source-aroflo {command} was interrupted ({name}) before it finished."


def stop(signum: int, command: str) -> NoReturn:
    """The last line, then the process ends at once with 128 + the signal's number.

    Under the print buffer's lock, held to the end: no other thread's line can follow it or be
    cut in half by the exit. `os._exit`, because the reading threads may be in the middle of a
    request: the process must not wait for them, nor run their clean-up (which logs).
    """
    # Written by hand: the signal may come while the CDK is still being imported.
    line = json.dumps({"type": "LOG", "log": {"level": "WARN", "message": interrupted_message(signum, command)}},
                      separators=(",", ":"))
    if print_lock().acquire(timeout=10):
        with contextlib.suppress(Exception):
            flush_prints()  # what other threads logged since the last flush: whole lines
            sys.__stdout__.write(f"{line}\n")
            sys.__stdout__.flush()
    with contextlib.suppress(Exception):
        sys.__stderr__.flush()
    os._exit(128 + signum)


def input_files(argv: List[str]) -> Tuple[Optional[str], List[Tuple[str, Optional[str]]]]:
    """The command and the (kind, path) files it is given, parsed as the CDK parses them;
    nothing when the arguments do not parse (the CDK then says why)."""
    from airbyte_cdk.entrypoint import AirbyteEntrypoint

    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            parsed = AirbyteEntrypoint.parse_args(argv)
    except SystemExit:
        return None, []
    command = getattr(parsed, "command", None)
    return command, [(kind, getattr(parsed, kind, None)) for kind in ("config", "catalog", "state")]


def run(args: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if args is None else args
    signals = _Signals()
    signals.command = next((word for word in argv if not word.startswith("-")), "read")
    try:
        signals.install()  # first: what follows imports the CDK (a signal may come at once)
        from airbyte_cdk.entrypoint import AirbyteEntrypoint
        from airbyte_cdk.utils.traced_exception import AirbyteTracedException

        from .output import launch
        from .source import SourceAroflo
        from .state import check_input_files

        command, files = input_files(argv)
        signals.command = command or "read"
        check_input_files(files)
        source = SourceAroflo()
        launch(source, argv)
        signals.stopping = True  # the work is done: a signal now (a client closing us) changes nothing
    except KeyboardInterrupt:  # Interrupted, or a plain KeyboardInterrupt (SIGINT before the handler)
        signals.stop()
    except Exception as error:  # noqa: BLE001 - turned into one error trace, no traceback
        from airbyte_cdk.entrypoint import AirbyteEntrypoint
        from airbyte_cdk.utils.traced_exception import AirbyteTracedException

        if not isinstance(error, AirbyteTracedException):
            error = AirbyteTracedException.from_exception(error)
        message = error.as_sanitized_airbyte_message()
        if message.trace and message.trace.error:
            message.trace.error.stack_trace = None
        print(AirbyteEntrypoint.airbyte_message_to_string(message), flush=True)
        sys.exit(1)
