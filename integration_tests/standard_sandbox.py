"""The `secrets/` configs of `acceptance-test-config.yml`, generated against a local sandbox.

Airbyte's acceptance config names real-credential configs under `secrets/`. In this project
those configs point at the local AroFlo sandbox (`integration_tests/sandbox`), whose port is
only known once it runs. So:

- at collection, `redirect()` maps every `secrets/<name>.json` path of the acceptance config to
  `<session folder>/<name>.json` (a folder named per process, not created yet);
- at test time, `GeneratedSecrets.start()` starts one sandbox, creates that folder and writes
  each config there: the committed `integration_tests/sample_config*.json` with the sandbox's URL,
  plus, for the configs expected to fail, one wrong credential. Until `stop()`, the connector
  (which the standard tests run in this process) runs on the sandbox's clock
  (`SOURCE_AROFLO_NOW`), so two reads in a row start at the same instant and agree on what is due.

Nothing is written into the repository, so several test sessions can run side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Optional

from integration_tests.harness import CLOCK_ENV, sandbox_clock
from integration_tests.sandbox import Dataset, SandboxServer

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "integration_tests"
SECRETS_PREFIX = "secrets"

# name under secrets/ -> (committed sample config, sandbox URL kind, credential overrides)
GENERATED: dict[str, tuple[str, str, dict]] = {
    "config.json": ("sample_config.json", "rest", {}),
    "config_hmac.json": ("sample_config_hmac.json", "zone", {}),
    # Wrong credentials with digits in them, so the CDK's secret-leak check searches for them.
    "config_bad_token.json": ("sample_config.json", "rest", {"api_key": "wrong-token-4f1c9e27d3"}),
    "config_hmac_bad_secret.json": ("sample_config_hmac.json", "zone", {"secret_key": "wrong-secret-7a20b6e15c"}),
}

# One folder per test process; created only when the standard tests run.
SESSION_DIR = Path(tempfile.gettempdir()) / f"aroflo-standard-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def redirect(config_path: Optional[Path]) -> Optional[Path]:
    """`secrets/<name>.json` -> the generated file in the session folder; other paths unchanged."""
    if config_path is None or config_path.is_absolute() or config_path.parts[0] != SECRETS_PREFIX:
        return config_path
    name = config_path.name
    if len(config_path.parts) != 2 or name not in GENERATED:
        raise ValueError(
            f"acceptance-test-config.yml names {config_path}, which the sandbox does not generate; "
            f"known: {', '.join('secrets/' + n for n in GENERATED)}"
        )
    return SESSION_DIR / name


def sample_config(name: str) -> dict:
    return json.loads((INTEGRATION / name).read_text())


def build_config(name: str, server: SandboxServer) -> dict:
    sample, kind, overrides = GENERATED[name]
    config = sample_config(sample)
    config["base_url"] = server.rest_base_url if kind == "rest" else server.zone_base_url
    config["credentials"] = {**config["credentials"], **overrides}
    return config


class GeneratedSecrets:
    """One sandbox and the configs that point at it, for one test session."""

    def __init__(self, users: int = 60, suppliers: int = 40, payments: int = 80):
        self.server = SandboxServer(Dataset(users=users, suppliers=suppliers, payments=payments))
        self.folder = SESSION_DIR
        self.tmp = SESSION_DIR / "tmp"  # tempfile.tempdir while the standard tests run
        self.configs: dict[str, dict] = {}
        self._clock: Optional[str] = None  # SOURCE_AROFLO_NOW before start()

    def start(self) -> "GeneratedSecrets":
        self.server.start()
        self._clock = os.environ.get(CLOCK_ENV)
        os.environ.update(sandbox_clock(self.server))
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        for name in GENERATED:
            self.configs[name] = build_config(name, self.server)
            (self.folder / name).write_text(json.dumps(self.configs[name], indent=2))
        return self

    def stop(self) -> None:
        self.server.stop()
        if self._clock is None:
            os.environ.pop(CLOCK_ENV, None)
        else:
            os.environ[CLOCK_ENV] = self._clock
        shutil.rmtree(self.folder, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.folder / name

    def config(self, name: str) -> dict[str, Any]:
        return json.loads(json.dumps(self.configs[name]))
