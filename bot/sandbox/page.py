"""The browser playground: static files (plain HTML, CSS and JavaScript, no build step) at ``/``.

The page drives the sandbox only through the documented client API under ``/sandbox/api``.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

PLAYGROUND_DIR = Path(__file__).resolve().parent / "playground"


class Page:
    """Serve the playground: its page at ``/`` and its assets under ``/playground/``."""

    def setup(self, app: web.Application) -> None:
        """Add the routes of the playground to the application."""
        app.router.add_get("/", self.show)
        app.router.add_static("/playground/", PLAYGROUND_DIR, append_version=True)

    async def show(self, request: web.Request) -> web.FileResponse:
        """GET /: the playground's page."""
        return web.FileResponse(PLAYGROUND_DIR / "index.html", headers={"Cache-Control": "no-cache"})
