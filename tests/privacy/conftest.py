"""Privacy tests keep report files in a temporary MEDIA_ROOT, as the report tests do."""

from tests.reports.conftest import media

__all__ = ["media"]
