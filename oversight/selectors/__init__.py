"""Reads of the oversight app: the national picture and the data-quality page, counts only.

The public surface of oversight's reads: its views import from here only.
"""

from oversight.selectors.national import National, national_picture
from oversight.selectors.quality import Quality, quality_for

__all__ = ["National", "Quality", "national_picture", "quality_for"]
