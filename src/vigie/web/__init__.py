"""The web application and HTTP API (``vigie serve``): pages, accounts, review and API."""

from vigie.web.app import create_app
from vigie.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
