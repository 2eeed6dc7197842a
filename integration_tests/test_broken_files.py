"""A `--config`, `--catalog` or `--state` file that is missing, not JSON, or not the right shape.

Each is told in one config_error trace that names the file and what is wrong with it, with
exit code 1 and no traceback: not the CDK's "Something went wrong in the connector".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from integration_tests.harness import configured_catalog, run_connector

CONFIG = {"credentials": {"auth_type": "bearer", "api_key": "sandbox-token"},
          "base_url": "http://127.0.0.1:9/v1", "start_date": "2023-01-01"}
SECRET = "sk-live-DO-NOT-PRINT-4711"

# problem -> (file content, or None for no file; what the message says after the file's name)
PROBLEMS = {
    "missing": (None, "does not exist"),
    "not_json": ('{"credentials": {"api_key": "' + SECRET + '"', "is not valid JSON (line 1 column "),
    "garbage": ("{x}", "is not valid JSON (line 1 column 2: Expecting property name enclosed in double quotes)"),
    "empty": ("", "is not valid JSON (line 1 column 1: Expecting value)"),
    "list": ("[1, 2]", "must hold a JSON object, not a list"),
    "number": ("42", "must hold a JSON object, not a number"),
}
STATE_PROBLEMS = {  # a list is a state file's usual shape (STATE messages); other shapes are not
    **{k: v for k, v in PROBLEMS.items() if k in ("missing", "not_json", "garbage")},
    "number": ("42", "must hold a JSON object or a list of state messages, not a number"),
    "string": ('"users"', "must hold a JSON object or a list of state messages, not a string"),
}
CASES = ([("config", p) for p in PROBLEMS] + [("catalog", p) for p in PROBLEMS]
         + [("state", p) for p in STATE_PROBLEMS])


def _broken_file(folder: Path, kind: str, problem: str) -> Path:
    content = (STATE_PROBLEMS if kind == "state" else PROBLEMS)[problem][0]
    path = folder / f"broken-{kind}.json"
    if content is not None:
        path.write_text(content)
    return path


def _only_error(run) -> dict:
    assert "Traceback" not in run.stdout + run.stderr, (run.stdout + run.stderr)[-3000:]
    assert "Something went wrong" not in run.stdout
    assert run.returncode == 1, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert len(run.errors) == 1, run.errors
    error = run.errors[0]
    assert error["failure_type"] == "config_error", error
    assert not error.get("stack_trace"), error
    assert not run.records and not run.states
    return error


@pytest.mark.parametrize("kind, problem", CASES, ids=[f"{k}-{p}" for k, p in CASES])
def test_a_broken_input_file_is_named_in_one_config_error(tmp_path, kind, problem):
    path = _broken_file(tmp_path, kind, problem)
    files = {"config": CONFIG, "catalog": configured_catalog("incremental"), "state": None}
    files[kind] = None  # given as a path instead, below
    run = run_connector("read", files["config"], files["catalog"], extra_args=[f"--{kind}", str(path)], timeout=60)
    error = _only_error(run)
    expected = (STATE_PROBLEMS if kind == "state" else PROBLEMS)[problem][1]
    assert error["message"].startswith(f"the {kind} file {path} {expected}"), error["message"]
    assert SECRET not in run.stdout + run.stderr


@pytest.mark.parametrize("command", ["check", "discover"])
def test_check_and_discover_name_a_missing_config_file(tmp_path, command):
    path = tmp_path / "nowhere" / "config.json"
    run = run_connector(command, extra_args=["--config", str(path)], timeout=60)
    assert _only_error(run)["message"] == f"the config file {path} does not exist"


def test_every_broken_file_is_reported_at_once(tmp_path):
    config, catalog = tmp_path / "config.json", tmp_path / "catalog.json"
    config.write_text("[]")
    state = tmp_path / "state.json"
    state.write_text("{")
    run = run_connector("read", extra_args=["--config", str(config), "--catalog", str(catalog),
                                            "--state", str(state)], timeout=60)
    message = _only_error(run)["message"]
    assert f"the config file {config} must hold a JSON object, not a list" in message
    assert f"the catalog file {catalog} does not exist" in message
    assert f"the state file {state} is not valid JSON (line 1 column 2: " in message


def test_a_folder_given_as_a_file(tmp_path):
    run = run_connector("read", CONFIG, extra_args=["--catalog", str(tmp_path)], timeout=60)
    assert _only_error(run)["message"] == f"the catalog file {tmp_path} is a folder, not a file"


def test_good_files_still_reach_the_connector(tmp_path):
    """The checks stop at the files: good files with an unreachable API get the API's answer."""
    run = run_connector("check", {**CONFIG, "retry_attempts": 0}, timeout=60)
    assert run.returncode == 0, run.stdout[-2000:]
    status = run.connection_status()
    assert status["status"] == "FAILED" and " file " not in status["message"], status
