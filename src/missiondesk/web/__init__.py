"""The web interface and HTTP API (`missiondesk serve`): FastAPI, Jinja2 pages and HTMX."""

from missiondesk.web.app import create_app

__all__ = ["create_app"]
