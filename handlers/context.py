"""What every handler and job gets: the unit of work, the clock and translations in the user's language."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from catalog.search import Searcher
from core.clock import Clock
from core.db import Database, Session
from core.i18n import Arg, Html, Translator
from orders.carriers import Carriers

SERVICES_KEY = "services"


@dataclass
class Services:
    """The long-lived objects the composition root builds once and hands to handlers and jobs."""

    db: Database
    clock: Clock
    translator: Translator
    worker_id: str
    media_dir: Path
    public_url: str
    searcher: Searcher
    carriers: Carriers
    payment_provider_token: str | None = None
    admin_user_ids: frozenset[int] = frozenset()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's callback context with the project's services; one instance per update."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.locale: str = self.services.translator.default_locale

    @property
    def services(self) -> Services:
        """Return the application's services."""
        return cast(Services, self.bot_data[SERVICES_KEY])

    def uow(self, *, read_only: bool = False, alone: bool = False) -> AbstractAsyncContextManager[Session]:
        """Open one brief unit of work (commits at the end of the block, rolls back on error); ``read_only``
        where the block surely only reads, ``alone`` where it runs one statement on PostgreSQL. Brief: a
        handler runs a few quick statements (see :meth:`core.db.Database.unit_of_work`); anything long
        belongs in a job."""
        return self.services.db.unit_of_work(read_only=read_only, brief=True, alone=alone)

    def t(self, key: str, /, **args: Arg) -> Html:
        """Translate ``key`` into the language of the user this update came from."""
        return self.services.translator.t(self.locale, key, **args)

    @property
    def now(self) -> datetime:
        """Return the time on the one clock."""
        return self.services.clock.now()
