"""PyAirbyte runs the installed `source-aroflo` script and reads every stream into its local cache.

Skipped unless PyAirbyte (`pip install airbyte`) is installed next to the connector. It is not a
test dependency of this project: PyAirbyte 0.71 pulls in about 180 packages (DuckDB, pandas,
pyarrow, SQLAlchemy, the Snowflake, BigQuery and Postgres clients, uv, fastmcp...), about
780 MB, and takes about three minutes to install on two cores, against seconds for the test.
It installs cleanly next to airbyte-cdk 7.39 (PyAirbyte needs airbyte-cdk >=7.28.3,<8; Python
<3.13). To run this test:

    python -m venv /tmp/pyairbyte && /tmp/pyairbyte/bin/pip install airbyte . pytest
    /tmp/pyairbyte/bin/python -m pytest integration_tests/test_pyairbyte.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from integration_tests.harness import sandbox_config

# Read by PyAirbyte at import: no connector-registry lookup (the connector is local) and no telemetry.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
airbyte = pytest.importorskip("airbyte", reason="PyAirbyte is not installed (see this module's docstring)")

COUNTS = {"users": 60, "suppliers": 40, "payments": 80}


@pytest.mark.slow
@pytest.mark.parametrize("dialect", ["bearer", "hmac"])
def test_pyairbyte_reads_every_stream_into_its_cache(sandbox, dialect: str, tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "source-aroflo"
    assert executable.exists(), "install the connector (pip install .) into this environment"
    server = sandbox(**COUNTS)
    config = sandbox_config(server, dialect, max_records_per_page=25)

    source = airbyte.get_source("source-aroflo", config=config, local_executable=str(executable))
    source.check()
    assert sorted(source.get_available_streams()) == sorted(COUNTS)
    source.select_all_streams()
    cache = airbyte.new_local_cache(cache_name=f"aroflo_{dialect}", cache_dir=tmp_path / "cache")
    # PyAirbyte reads a stream incrementally when it can: without a start_date that is only the
    # last `initial_sync_days` (90) days. A full refresh reads every record.
    result = source.read(cache=cache, force_full_refresh=True)

    for stream, count in COUNTS.items():
        frame = cache[stream].to_pandas()
        assert len(frame) == count, stream
        assert frame["id"].is_unique, stream
        assert result.processed_records >= count
    # check, discover and three streams of 2-4 pages each went to the sandbox
    assert server.stats()["total"] >= 10
    assert os.listdir(tmp_path / "cache")
