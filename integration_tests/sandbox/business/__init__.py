"""The business behind the sandbox (a Melbourne plumbing & electrical contractor): `Site` builds
it, `Views` shows its records as AroFlo's zones do. See site.py."""

from .site import ZONE_NAMES, Site
from .views import Views

__all__ = ["Site", "Views", "ZONE_NAMES"]
