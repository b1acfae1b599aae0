"""The web surface: a REST API under /api/v1 (OpenAPI at /docs); the dashboard builds on it."""

from hubbub.web.app import create_app

__all__ = ["create_app"]
