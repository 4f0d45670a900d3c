"""Celery tasks: take ids, call one service, safe to run twice."""
