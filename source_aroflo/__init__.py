"""source-aroflo: an Airbyte source for AroFlo users, suppliers and payments."""

from .source import SourceAroflo

__all__ = ["SourceAroflo"]
