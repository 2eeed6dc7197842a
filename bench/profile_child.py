"""`python -m bench.profile_child OUT.pstats read --config ... --catalog ...`: run the connector
with every thread profiled (cProfile only sees the thread that enabled it, and the connector
reads its streams in worker threads), then write the merged stats to OUT.pstats."""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading

_profiles = []
_lock = threading.Lock()
_original_run = threading.Thread.run


def _profiled_run(self) -> None:
    profile = cProfile.Profile()
    with _lock:
        _profiles.append(profile)
    profile.enable()
    try:
        _original_run(self)
    finally:
        profile.disable()


def main() -> None:
    out, argv = sys.argv[1], sys.argv[2:]
    threading.Thread.run = _profiled_run
    from source_aroflo.run import run

    main_profile = cProfile.Profile()
    main_profile.enable()
    try:
        run(argv)
    finally:
        main_profile.disable()
        sys.stdout.flush()
        stats = pstats.Stats(main_profile)
        with _lock:
            for profile in _profiles:
                try:
                    stats.add(profile)
                except (TypeError, ValueError):  # a thread that never ran anything
                    pass
        stats.dump_stats(out)


if __name__ == "__main__":
    main()
