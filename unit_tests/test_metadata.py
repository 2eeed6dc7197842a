"""metadata.yaml has what Airbyte's registry needs, and agrees with pyproject.toml and the Dockerfile."""

from __future__ import annotations

import json
import re
import tomllib
import uuid
from pathlib import Path

import pytest
import yaml
from airbyte_cdk.models.connector_metadata import ConnectorLanguage, MetadataFile

ROOT = Path(__file__).resolve().parents[1]
METADATA = yaml.safe_load((ROOT / "metadata.yaml").read_text())
DATA = METADATA["data"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SPEC = json.loads((ROOT / "source_aroflo" / "spec.json").read_text())
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:(\d+\.\d+\.\d+)@sha256:[0-9a-f]{64}$")


def test_metadata_parses_as_the_cdk_reads_it():
    metadata = MetadataFile.from_file(ROOT / "metadata.yaml")
    assert metadata.data.language == ConnectorLanguage.PYTHON
    assert metadata.data.dockerRepository == "airbyte/source-aroflo"
    assert METADATA["metadataSpecVersion"] == "1.0"


@pytest.mark.parametrize("key, expected", [
    ("name", "AroFlo"),
    ("connectorType", "source"),
    ("connectorSubtype", "api"),
    ("dockerRepository", "airbyte/source-aroflo"),
    ("license", "MIT"),
    ("releaseStage", "alpha"),
    ("supportLevel", "community"),
    ("ab_internal", {"sl": 100, "ql": 100}),
    ("allowedHosts", {"hosts": ["api.aroflo.com"]}),
    ("registryOverrides", {"cloud": {"enabled": True}, "oss": {"enabled": True}}),
])
def test_required_field(key, expected):
    assert DATA.get(key) == expected


def test_tags_name_language_and_cdk():
    assert {"language:python", "cdk:python"} <= set(DATA["tags"])


def test_image_tag_is_the_package_version():
    assert DATA["dockerImageTag"] == PYPROJECT["project"]["version"]


def test_definition_id_is_a_uuid():
    assert str(uuid.UUID(DATA["definitionId"])) == DATA["definitionId"]


def test_base_image_is_pinned_by_digest():
    assert BASE_IMAGE.match(DATA["connectorBuildOptions"]["baseImage"])


def test_documentation_url_is_the_spec_one():
    assert DATA["documentationUrl"] == SPEC["documentationUrl"]
    assert DATA["documentationUrl"].endswith("/" + DATA["dockerRepository"].split("source-")[1])
    assert (ROOT / "docs" / "aroflo.md").is_file()


def test_pypi_publication_declared():
    pypi = DATA["remoteRegistries"]["pypi"]
    assert pypi["enabled"] is True
    assert pypi["packageName"] == "airbyte-" + PYPROJECT["project"]["name"]


def test_license_matches_the_package():
    assert PYPROJECT["project"]["license"]["text"] == DATA["license"]



def test_docs_describe_every_config_key_and_the_changelog_version():
    docs = (ROOT / "docs" / "aroflo.md").read_text()
    properties = SPEC["connectionSpecification"]["properties"]
    keys = set(properties)
    for variant in properties["credentials"]["oneOf"]:
        keys |= set(variant["properties"])
    missing = sorted(key for key in keys if f"`{key}`" not in docs)
    assert not missing, f"docs/aroflo.md does not describe {missing}"
    assert re.search(rf"^\| {re.escape(DATA['dockerImageTag'])} \|", docs, flags=re.MULTILINE)
