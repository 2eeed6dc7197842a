"""source-aroflo: an Airbyte source for AroFlo (every readable zone of its API)."""

from typing import Any

__all__ = ["SourceAroflo"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: `python main.py` installs its signal handling before the CDK is imported.
    if name == "SourceAroflo":
        from .source import SourceAroflo

        return SourceAroflo
    raise AttributeError(name)
