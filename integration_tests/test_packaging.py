"""The connector as Airbyte ships it: the `source-aroflo` console script and the Docker image.

There is no Docker engine here, so the image is checked by what it is made of: the `Dockerfile`
builds from the base image `metadata.yaml` pins, copies exactly what `pip install .` needs (a
wheel is built from those files alone), and runs the console script, which must answer every
command exactly as `python main.py` does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import entry_points
from pathlib import Path

import yaml

from integration_tests.harness import MAIN, ROOT, TABLES, configured_catalog, run_connector, sandbox_config

SCRIPT = Path(sys.executable).parent / "source-aroflo"
DOCKERFILE = (ROOT / "Dockerfile").read_text()
METADATA = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]


def _comparable(run) -> dict:
    """What a run said, without what legitimately differs between two runs (times, order of the
    parallel streams, log wording that names the program)."""
    records = sorted(json.dumps([r["stream"], r["data"]], sort_keys=True) for r in run.records)
    states = sorted(json.dumps(s, sort_keys=True) for s in run.final_state())
    return {
        "returncode": run.returncode,
        "types": sorted({m["type"] for m in run.messages}),
        "spec": [m["spec"] for m in run.of_type("SPEC")],
        "catalog": run.catalog(),
        "status": [m["connectionStatus"]["status"] for m in run.of_type("CONNECTION_STATUS")],
        "records": records,
        "states": states,
        "errors": [e.get("message") for e in run.errors],
    }


def test_console_script_is_the_packaged_entry_point():
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("source-aroflo") == "source_aroflo.run:run"
    assert SCRIPT.is_file(), f"{SCRIPT} is not installed (pip install -e .)"
    assert "from source_aroflo.run import run" in MAIN.read_text()


def test_console_script_answers_like_main_py(sandbox):
    server = sandbox(users=60, suppliers=40, payments=80)
    bearer = sandbox_config(server, "bearer", max_records_per_page=25, start_date="2023-01-01")
    hmac = sandbox_config(server, "hmac", max_records_per_page=25, start_date="2023-01-01")
    jobs = [("spec", None, None), ("check", bearer, None), ("discover", bearer, None),
            ("read", bearer, configured_catalog("incremental", dialect="bearer")),
            ("read", hmac, configured_catalog("incremental", dialect="hmac"))]

    def both(job):
        command, config, catalog = job
        # On the sandbox's clock: both reads start at the same instant (a state's read_at).
        return [run_connector(command, config, catalog, executable=executable, timeout=120, now=server)
                for executable in ([str(SCRIPT)], [sys.executable, str(MAIN)])]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(both, jobs))

    for (command, config, _), (script, main) in zip(jobs, results):
        label = f"{command} ({config['credentials']['auth_type'] if config else '-'})"
        assert _comparable(script) == _comparable(main), label
        assert "Traceback" not in script.stderr + script.stdout, label
    # ... and each answer is the real one, not two identical failures.
    spec, check, discover, *reads = [script for script, _ in results]
    assert spec.returncode == 0 and spec.of_type("SPEC")[0]["spec"]["documentationUrl"] == METADATA["documentationUrl"]
    assert check.connection_status()["status"] == "SUCCEEDED"
    assert sorted(s["name"] for s in discover.catalog()["streams"]) == sorted(TABLES)
    for read in reads:
        assert read.returncode == 0 and not read.errors
        assert {t: len(set(read.ids(t))) for t in TABLES} == {t: server.dataset.count(t) for t in TABLES}
        assert {s["stream"]["stream_descriptor"]["name"] for s in read.final_state()} == set(TABLES)


def test_dockerfile_builds_from_the_metadata_base_image():
    froms = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, flags=re.MULTILINE)
    assert froms == [METADATA["connectorBuildOptions"]["baseImage"]]
    assert re.search(r"^WORKDIR /airbyte/integration_code$", DOCKERFILE, flags=re.MULTILINE)
    assert re.search(r'^ENV AIRBYTE_ENTRYPOINT="source-aroflo"$', DOCKERFILE, flags=re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["source-aroflo"\]$', DOCKERFILE, flags=re.MULTILINE)
    assert f"io.airbyte.version={METADATA['dockerImageTag']}" in DOCKERFILE
    assert f"io.airbyte.name={METADATA['dockerRepository']}" in DOCKERFILE


def test_docker_build_context_is_enough_for_pip_install(tmp_path: Path):
    """`pip install .` inside the image sees only what the Dockerfile copies: build a wheel from
    exactly those files and check it holds the package, its spec and the console script."""
    context = tmp_path / "context"
    context.mkdir()
    for line in re.findall(r"^COPY\s+(.+)$", DOCKERFILE, flags=re.MULTILINE):
        *sources, target = line.split()
        for source in sources:  # Docker's rule: several sources or a trailing / mean "into this folder"
            origin = ROOT / source
            destination = context / target / origin.name if len(sources) > 1 or target.endswith("/") else context / target
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
        cwd=context, capture_output=True, text=True, timeout=180,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel, = (tmp_path / "dist").glob("source_aroflo-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "source_aroflo/spec.json" in names and "source_aroflo/run.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "source-aroflo = source_aroflo.run:run" in zipfile.ZipFile(wheel).read(entry).decode()
    assert f"-{METADATA['dockerImageTag']}-" in wheel.name
