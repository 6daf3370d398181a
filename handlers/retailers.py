"""Retailer accounts in the chat: /retailer (create, join with a code, invite staff, members) and /apikey.

Everything here happens in the private chat with the bot, because invite codes and API keys are secrets:

- ``/retailer new NAME`` (platform administrators): create a retailer, get its owner's one-time code;
- ``/retailer R-…``: redeem a code and become the retailer's owner or staff;
- ``/retailer``: the account and its members; ``/retailer invite`` (owner): a code for staff;
  ``/retailer remove USER_ID`` (owner): take a staff member off;
- ``/apikey`` (owner): a new key for the retailer API, shown once; ``/apikey revoke [PREFIX]`` revokes.
"""

from __future__ import annotations

from datetime import datetime

from telegram import Message, Update, User
from telegram.ext import CommandHandler

from catalog import retailers
from catalog.retailers import Account, Refused
from core.i18n import Html, format_datetime
from core.users import DEFAULT_TIME_ZONE
from handlers.common import App, is_admin, opened, retailer_scope
from handlers.context import BotContext


def _when(context: BotContext, moment: datetime) -> str:
    return format_datetime(moment, context.locale, time_zone=DEFAULT_TIME_ZONE, style="short")


def _refusal(context: BotContext, refused: Refused) -> Html:
    return context.t(refused.reason_key, **refused.args_)


async def retailer_command(update: Update, context: BotContext) -> None:
    """/retailer with its sub-commands (see the module documentation)."""
    if (where := await opened(update, context, private_only="retailer-private-only")) is None:
        return
    message, user = where
    args = context.args or []
    word = args[0] if args else ""
    if word.lower() == "new":
        await _create(context, message, user, " ".join(args[1:]))
    elif word.startswith(retailers.CODE_PREFIX):
        await _redeem(context, message, user, word)
    elif word.lower() == "invite" and len(args) == 1:
        await _invite(context, message, user)
    elif word.lower() == "remove" and len(args) == 2:
        await _remove(context, message, user, args[1])
    elif not args:
        await _show(context, message, user)
    else:
        await message.reply_text(context.t("retailer-usage"))


async def _create(context: BotContext, message: Message, user: User, name: str) -> None:
    if not is_admin(context, user.id):
        await message.reply_text(context.t("retailer-error-admin-only"))
        return
    try:
        async with context.uow() as session:
            invite = await retailers.create(session, name=name, created_by=user.id, now=context.now)
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    await message.reply_text(
        context.t(
            "retailer-created",
            name=invite.name,
            code=invite.code,
            until=_when(context, invite.expires_at),
        )
    )


async def _redeem(context: BotContext, message: Message, user: User, code: str) -> None:
    try:
        async with context.uow() as session:
            account = await retailers.redeem(session, code=code, user_id=user.id, now=context.now)
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    await message.reply_text(
        context.t("retailer-joined", name=account.name, role=context.t(f"retailer-role-{account.role}"))
    )


async def _manager(context: BotContext, message: Message, user: User) -> Account | None:
    """Return the account the user manages (as owner or administrator), or say why not."""
    scope = await retailer_scope(context, user.id)
    if scope is None:
        await message.reply_text(context.t("retailer-none"))
        return None
    if scope.account is None:
        await message.reply_text(context.t("retailer-error-admin-no-account"))
        return None
    if scope.account.role not in retailers.MANAGERS:
        await message.reply_text(context.t("retailer-error-owner-only"))
        return None
    return scope.account


async def _invite(context: BotContext, message: Message, user: User) -> None:
    if (account := await _manager(context, message, user)) is None:
        return
    async with context.uow() as session:
        invite = await retailers.invite(
            session, retailer_id=account.retailer_id, role="staff", created_by=user.id, now=context.now
        )
    await message.reply_text(
        context.t(
            "retailer-invited", name=invite.name, code=invite.code, until=_when(context, invite.expires_at)
        )
    )


async def _remove(context: BotContext, message: Message, user: User, who: str) -> None:
    if (account := await _manager(context, message, user)) is None:
        return
    if not who.isdigit():
        await message.reply_text(context.t("retailer-usage"))
        return
    try:
        async with context.uow() as session:
            await retailers.remove(session, retailer_id=account.retailer_id, user_id=int(who))
    except Refused as refused:
        await message.reply_text(_refusal(context, refused))
        return
    await message.reply_text(context.t("retailer-removed", id=who))


async def _show(context: BotContext, message: Message, user: User) -> None:
    scope = await retailer_scope(context, user.id)
    if scope is None or scope.account is None:
        key = "retailer-admin-overview" if scope is not None else "retailer-none"
        async with context.uow() as session:
            count = await retailers.count(session)
        await message.reply_text(context.t(key, count=count))
        return
    account = scope.account
    async with context.uow() as session:
        members = await retailers.members(session, retailer_id=account.retailer_id)
        keys = await retailers.api_keys(session, retailer_id=account.retailer_id)
    lines = [
        context.t("retailer-account", name=account.name, role=context.t(f"retailer-role-{account.role}")),
        "",
        context.t("retailer-members-title"),
    ]
    lines += [
        context.t(
            "retailer-member-line",
            name=member.first_name,
            id=str(member.user_id),
            role=context.t(f"retailer-role-{member.role}"),
        )
        for member in members
    ] or [context.t("retailer-members-none")]
    if account.role in retailers.MANAGERS:
        lines += ["", context.t("retailer-keys", count=len(keys)), "", context.t("retailer-owner-hints")]
    await message.reply_text(Html("\n".join(lines)))


async def api_key_command(update: Update, context: BotContext) -> None:
    """/apikey: a new key for the retailer API (shown once); /apikey revoke [PREFIX] revokes keys."""
    if (where := await opened(update, context, private_only="retailer-private-only")) is None:
        return
    message, user = where
    if (account := await _manager(context, message, user)) is None:
        return
    args = context.args or []
    if args and args[0].lower() == "revoke" and len(args) <= 2:
        prefix = args[1] if len(args) == 2 else None
        async with context.uow() as session:
            revoked = await retailers.revoke_api_keys(
                session, retailer_id=account.retailer_id, now=context.now, prefix=prefix
            )
        if prefix is not None and not revoked:
            await message.reply_text(context.t("apikey-error-unknown", prefix=prefix))
            return
        await message.reply_text(context.t("apikey-revoked", count=revoked))
        return
    if args:
        await message.reply_text(context.t("apikey-usage"))
        return
    async with context.uow() as session:
        key = await retailers.create_api_key(
            session, retailer_id=account.retailer_id, created_by=user.id, now=context.now
        )
        active = await retailers.api_keys(session, retailer_id=account.retailer_id)
    await message.reply_text(
        context.t(
            "apikey-created",
            name=account.name,
            key=key,
            url=f"{context.services.public_url.rstrip('/')}/api/v1",
            count=len(active),
        )
    )


def register(app: App) -> None:
    """Install /retailer and /apikey."""
    app.add_handler(CommandHandler("retailer", retailer_command))
    app.add_handler(CommandHandler("apikey", api_key_command))
