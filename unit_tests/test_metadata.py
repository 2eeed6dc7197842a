"""metadata.yaml has what Airbyte's registry needs, and agrees with pyproject.toml and the Dockerfile."""

from __future__ import annotations

import json
import re
import tomllib
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import date
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
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
    assert PYPROJECT["project"]["license"] == DATA["license"]


def test_pyproject_license_is_an_spdx_string():
    """PEP 639: `license = "MIT"`; the `{ text = ... }` table is deprecated by setuptools."""
    license_ = PYPROJECT["project"]["license"]
    assert isinstance(license_, str), f"project.license must be an SPDX expression string, got {license_!r}"
    assert re.fullmatch(r"[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*", license_), license_
    assert not any(c.startswith("License ::") for c in PYPROJECT["project"].get("classifiers", [])), \
        "a licence classifier next to an SPDX licence is an error for setuptools"


def test_build_system_asks_for_a_setuptools_that_reads_spdx_licenses():
    requirements = {r.name: r for r in map(Requirement, PYPROJECT["build-system"]["requires"])}
    setuptools = requirements["setuptools"].specifier
    assert setuptools.contains("77.0.0") and not setuptools.contains("76.1.0"), str(setuptools)


def test_icon_is_a_small_well_formed_svg():
    assert DATA["icon"] == "aroflo.svg"
    icon = ROOT / DATA["icon"]
    assert icon.is_file(), f"{icon} is missing"
    assert icon.stat().st_size < 10_000, "the registry wants a small icon"
    root = ElementTree.parse(icon).getroot()  # raises on XML that is not well-formed
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    assert len(root.get("viewBox", "").split()) == 4, "a viewBox lets the icon scale"
    assert len(list(root.iter())) > 1, "an empty <svg>"


def test_release_date_is_an_iso_date():
    released = DATA["releaseDate"]
    assert isinstance(released, str), "quote it: YAML reads an unquoted date as a date, not the registry's string"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", released), released
    assert date.fromisoformat(released) >= date(2026, 1, 1)



def test_docs_describe_every_config_key_and_the_changelog_version():
    docs = (ROOT / "docs" / "aroflo.md").read_text()
    properties = SPEC["connectionSpecification"]["properties"]
    keys = set(properties)
    for variant in properties["credentials"]["oneOf"]:
        keys |= set(variant["properties"])
    missing = sorted(key for key in keys if f"`{key}`" not in docs)
    assert not missing, f"docs/aroflo.md does not describe {missing}"
    assert re.search(rf"^\| {re.escape(DATA['dockerImageTag'])} \|", docs, flags=re.MULTILINE)


def test_the_docs_streams_tables_are_the_ones_the_declarations_give():
    from source_aroflo.docs import END, FILES, START, streams_table
    from source_aroflo.zones import CHILDREN, ZONES

    table = streams_table()
    for name in FILES:
        text = (ROOT / name).read_text()
        between = text[text.index(START) + len(START):text.index(END)].strip()
        assert between == table, f"{name}: run `make docs` (the streams table is out of date)"
    assert table.count("\n") == 1 + len(ZONES) + len(CHILDREN)  # header, rule, one row per stream


def test_the_docs_recipes_are_the_sql_files_in_docs_recipes():
    from source_aroflo.docs import RECIPES_END, RECIPES_FILE, RECIPES_START, recipes_section

    text = (ROOT / RECIPES_FILE).read_text()
    between = text[text.index(RECIPES_START) + len(RECIPES_START):text.index(RECIPES_END)].strip()
    assert between == recipes_section(str(ROOT)), f"{RECIPES_FILE}: run `make docs` (the SQL recipes are out of date)"
