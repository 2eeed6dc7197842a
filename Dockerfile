# source-aroflo, built like Airbyte's Python connectors: on Airbyte's Python connector base
# image (the `connectorBuildOptions.baseImage` of metadata.yaml, pinned by digest), with the
# package installed by pip and its console script as the entry point.
#
#   docker build -t airbyte/source-aroflo:dev .
#   docker run --rm airbyte/source-aroflo:dev spec
#   docker run --rm -v $(pwd)/secrets:/secrets airbyte/source-aroflo:dev check --config /secrets/config.json
FROM docker.io/airbyte/python-connector-base:4.1.0@sha256:1d1aa21d34e851df4e8a87b391c27724c06e2597608e7161f4d167be853bd7b6

WORKDIR /airbyte/integration_code

COPY pyproject.toml README.md main.py ./
COPY source_aroflo ./source_aroflo

RUN pip install --no-cache-dir . && pip check

# The Airbyte platform runs this command; `main.py` stays available as `python main.py`.
ENV AIRBYTE_ENTRYPOINT="source-aroflo"
ENTRYPOINT ["source-aroflo"]

LABEL io.airbyte.name=airbyte/source-aroflo
LABEL io.airbyte.version=0.3.0
