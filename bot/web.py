"""The HTTP side of the bot (aiohttp): Telegram's webhook, product pictures and a health check."""

from __future__ import annotations

import asyncio
import hmac
import logging
from pathlib import Path

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from catalog import images
from handlers import updates
from handlers.common import App
from handlers.context import Services

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
APPLICATION_KEY = web.AppKey("application", App)
SERVICES_KEY = web.AppKey("services", Services)
SECRET_KEY = web.AppKey("webhook_secret", str)
MEDIA_KEY = web.AppKey("media_dir", Path)


def create_app(*, services: Services, media_dir: Path) -> web.Application:
    """Create the web application; the runner adds the bot (and the sandbox when embedded)."""
    app = web.Application(client_max_size=20 * 1024**2)
    app[SERVICES_KEY] = services
    app.router.add_get("/healthz", health)
    media_dir.mkdir(parents=True, exist_ok=True)
    app[MEDIA_KEY] = media_dir
    app.router.add_get("/photos/{size:(640|160)}/{path:.+}.jpg", photo)
    app.router.add_static("/media", media_dir, follow_symlinks=False)
    return app


async def photo(request: web.Request) -> web.StreamResponse:
    """Serve a product picture as JPEG (Telegram fetches inline results and thumbnails only as JPEG)."""
    found = await asyncio.to_thread(
        images.jpeg,
        media_dir=request.app[MEDIA_KEY],
        path=request.match_info["path"],
        max_side=int(request.match_info["size"]),
    )
    if found is None:
        raise web.HTTPNotFound()
    return web.FileResponse(found, headers={"Cache-Control": "public, max-age=86400"})


def attach_webhook(app: web.Application, *, application: App, secret: str, path: str = WEBHOOK_PATH) -> None:
    """Receive Telegram's updates at ``path``, checking the secret token header."""
    app[APPLICATION_KEY] = application
    app[SECRET_KEY] = secret
    app.router.add_post(path, webhook)


async def webhook(request: web.Request) -> web.Response:
    """Queue an update Telegram posted; answer at once so Telegram does not redeliver it.

    A wrong or missing secret is refused (403) before the body is read. While the bot is not running
    (starting or stopping) the answer is 503, so Telegram delivers the update again, behind a load balancer
    to another instance; an update queued then would be dropped by the stopping application.
    """
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), request.app[SECRET_KEY].encode()):
        return web.Response(status=403)
    application = request.app[APPLICATION_KEY]
    if not application.running:
        return web.Response(status=503)
    try:
        data = await request.json()
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("no update")
        update = Update.de_json(data, application.bot)
        if not updates.well_formed(update):
            raise ValueError("not the Bot API's types")
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("webhook: a body that is no update was refused")
        return web.Response(status=400)
    await application.update_queue.put(update)
    return web.Response()


async def health(request: web.Request) -> web.Response:
    """Answer 200 when the bot runs and the database answers, else 503 (a load balancer then skips it)."""
    application = request.app.get(APPLICATION_KEY)
    if application is not None and not application.running:
        return web.json_response({"status": "bot not running"}, status=503)
    try:
        async with request.app[SERVICES_KEY].db.unit_of_work() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"status": "database unreachable"}, status=503)
    return web.json_response({"status": "ok"})
