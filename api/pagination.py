"""Cursor pagination: stable pages while a records system pages through rows being added."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Pages in id order by default; a view names its own ordering where it has a better one."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ByCode(Cursor):
    ordering = "code"
