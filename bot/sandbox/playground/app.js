// The Kaufrunde playground: a small messenger that plays the sandbox's users through the client API.
// Plain JavaScript, no build step; every call goes to the documented routes under /sandbox/api.
"use strict";

const API = "/sandbox/api";
const TIME_ZONE = "Europe/Berlin";
const DEFAULT_ADDRESS = {
  country_code: "DE", state: "Berlin", city: "Berlin",
  street_line1: "Alexanderplatz 1", street_line2: "", post_code: "10178",
};
const COLORS = ["#e17055", "#0984e3", "#00a37a", "#a55eea", "#e1a100", "#d63384", "#2d98da"];

const state = {
  bot: null,
  users: [],
  chats: [],
  me: null,
  current: null,
  messages: new Map(), // chat id -> Map(message id -> Message)
  seen: {}, // "me:chat" -> last message id seen
  replyTo: null,
  inline: null,
  lang: "en",
  texts: {},
  faults: null,
  loaded: false,
};

const $ = (id) => document.getElementById(id);

// ---------- helpers ----------

async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: {} };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(API + path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function t(key, values = {}) {
  let text = state.texts[key] || key;
  for (const [name, value] of Object.entries(values)) text = text.replace(`%${name}%`, value);
  return text;
}

function userName(id) {
  if (state.bot && id === state.bot.id) return state.bot.first_name;
  const user = state.users.find((u) => u.id === id);
  return user ? user.first_name : String(id);
}

function avatar(id, name, extra = "") {
  const isBot = state.bot && id === state.bot.id;
  const color = COLORS[Math.abs(id) % COLORS.length];
  return h("span", { class: `avatar ${extra} ${isBot ? "bot" : ""}`, style: isBot ? "" : `background:${color}`, "aria-hidden": "true" },
    (name || "?").slice(0, 1).toUpperCase());
}

function groupAvatar(chat) {
  return h("span", { class: "avatar group", "aria-hidden": "true" }, (chat.title || "#").slice(0, 1).toUpperCase());
}

function locale() { return state.lang === "de" ? "de-DE" : "en-GB"; }

function formatTime(unix) {
  return new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }).format(new Date(unix * 1000));
}

function formatMoney(amount, currency) {
  if (currency === "XTR") return `⭐ ${amount}`;
  const format = new Intl.NumberFormat(locale(), { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits;
  return format.format(amount / 10 ** digits);
}

function toast(text, alert = false) {
  const box = $("toast");
  box.textContent = text;
  box.className = alert ? "toast alert" : "toast";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, alert ? 6000 : 3000);
}

function fail(error) { toast(`${t("playground-error")}: ${error.message || error}`, true); }

// ---------- i18n ----------

async function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem("playground-lang", lang);
  state.texts = await api(`/i18n/${lang}`);
  document.documentElement.lang = lang;
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
    element.placeholder = t(element.dataset.i18nPlaceholder);
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  document.title = t("playground-title");
  $("back").setAttribute("aria-label", t("playground-back"));
  $("send").setAttribute("aria-label", t("playground-send"));
  if (state.loaded) { renderAll(true); loadClock(); }
}

// ---------- loading ----------

async function loadPeople() {
  const [users, chats] = await Promise.all([api("/users"), api("/chats")]);
  state.users = users;
  state.chats = chats;
}

async function loadMessages(chatId, after = 0) {
  const list = await api(`/chats/${chatId}/messages?after=${after}`);
  let known = state.messages.get(chatId);
  const fresh = !known;
  if (!known) { known = new Map(); state.messages.set(chatId, known); }
  const created = [];
  for (const message of list) {
    const before = known.get(message.message_id);
    if (before && before.version > message.version) continue;
    if (!before && !fresh) created.push(message);
    known.set(message.message_id, message);
  }
  return created;
}

function myChats() {
  return state.chats.filter((chat) => chat.member_ids.includes(state.me));
}

function chatName(chat) {
  return chat.type === "private" ? state.bot.first_name : chat.title;
}

// ---------- live updates ----------

const pending = new Map();
let flushing = null;

function changed(chatId, messageId) {
  if (!state.messages.has(chatId)) { renderChatList(); return; }
  pending.set(chatId, Math.min(pending.get(chatId) ?? Infinity, messageId));
  if (!flushing) flushing = Promise.resolve().then(flush);
}

async function flush() {
  const work = [...pending.entries()];
  pending.clear();
  flushing = null;
  for (const [chatId, from] of work) {
    try {
      const created = await loadMessages(chatId, from - 1);
      if (chatId === state.current) {
        renderMessages();
        const ask = created.find((m) => m.reply_markup && m.reply_markup.force_reply && m.from.id !== state.me);
        if (ask) startReply(ask);
      }
    } catch (error) { fail(error); }
  }
  renderChatList();
}

function connect() {
  const source = new EventSource(`${API}/events`);
  const onMessage = (event) => {
    const data = JSON.parse(event.data);
    changed(data.chat_id, data.message_id);
  };
  for (const name of ["message_created", "message_edited", "message_deleted", "poll"]) {
    source.addEventListener(name, onMessage);
  }
  source.addEventListener("clock", (event) => showClock(JSON.parse(event.data).now));
  source.addEventListener("chats", async () => { await loadPeople(); renderAll(); });
  source.addEventListener("ready", async () => {
    $("status").hidden = true;
    if (!state.loaded) return;
    await loadPeople();
    await Promise.all([...state.messages.keys()].map((id) => loadMessages(id)));
    renderAll();
  });
  source.onerror = () => { $("status").hidden = false; };
}

// ---------- rendering: sidebar ----------

function renderPeople() {
  const box = $("people");
  box.replaceChildren(...state.users.map((user) => h("button", {
    type: "button", class: "person", role: "radio", "data-user": user.id,
    "aria-checked": String(user.id === state.me), title: user.first_name,
    onclick: () => becomeUser(user.id),
  }, avatar(user.id, user.first_name), h("span", { class: "person-name" }, user.first_name))));
}

function preview(message) {
  if (!message) return "";
  if (message.deleted) return t("playground-deleted");
  if (message.text) return message.text.split("\n")[0];
  if (message.caption) return `🖼 ${message.caption.split("\n")[0]}`;
  if (message.photo) return "🖼";
  if (message.invoice) return `🧾 ${message.invoice.title}`;
  if (message.poll) return `📊 ${message.poll.question}`;
  if (message.document) return `📎 ${message.document.file_name || t("playground-document")}`;
  return serviceText(message) || "";
}

function renderChatList() {
  const nav = $("chatlist");
  nav.replaceChildren(...myChats().map((chat) => {
    const list = [...(state.messages.get(chat.id) || new Map()).values()];
    const last = list[list.length - 1];
    const seen = state.seen[`${state.me}:${chat.id}`] || 0;
    const unread = list.filter((m) => m.message_id > seen && m.from.id !== state.me && !m.deleted).length;
    const who = last && chat.type !== "private" && !last.deleted ? `${last.from.id === state.me ? t("playground-you") : last.from.first_name}: ` : "";
    return h("button", {
      type: "button", class: `chat-item${chat.id === state.current ? " active" : ""}`, "data-chat": chat.id,
      "data-kind": chat.type, onclick: () => openChat(chat.id),
    },
    chat.type === "private" ? avatar(state.bot.id, state.bot.first_name) : groupAvatar(chat),
    h("span", { class: "chat-item-text" },
      h("span", { class: "chat-item-top" },
        h("strong", {}, chatName(chat)),
        last ? h("time", {}, formatTime(last.date)) : null),
      h("span", { class: "chat-item-bottom" },
        h("span", { class: "chat-item-preview" }, who + preview(last)),
        unread && chat.id !== state.current ? h("span", { class: "badge" }, unread) : null)));
  }));
}

// ---------- rendering: messages ----------

function entityElement(entity, covered) {
  switch (entity.type) {
    case "bold": return h("strong");
    case "italic": return h("em");
    case "underline": return h("u");
    case "strikethrough": return h("s");
    case "code": return h("code");
    case "pre": return h("pre", { "data-language": entity.language });
    case "spoiler": return h("span", { class: "spoiler", onclick: (e) => e.currentTarget.classList.add("revealed") });
    case "blockquote": return h("blockquote");
    case "expandable_blockquote": return h("blockquote", { class: "expandable", onclick: (e) => e.currentTarget.classList.toggle("open") });
    case "text_link": return safeLink(entity.url);
    case "url": return safeLink(/^https?:\/\//i.test(covered) ? covered : `https://${covered}`);
    case "email": return h("a", { href: `mailto:${covered}` });
    case "bot_command":
      return h("a", { href: "#", class: "command", onclick: (e) => { e.preventDefault(); sendText(covered); } });
    case "mention": case "hashtag": case "cashtag": case "text_mention": return h("span", { class: "mention" });
    default: return h("span");
  }
}

function safeLink(url) {
  const link = h("a", { target: "_blank", rel: "noopener noreferrer" });
  if (/^(https?|tg|mailto):/i.test(url || "")) {
    link.href = url;
    link.addEventListener("click", (event) => { if (openTelegramLink(url)) event.preventDefault(); });
  }
  return link;
}

function formatted(text, entities) {
  const sorted = (entities || []).slice().sort((a, b) => a.offset - b.offset || b.length - a.length);
  const build = (start, end, list) => {
    const parts = [];
    let position = start;
    let index = 0;
    while (index < list.length) {
      const entity = list[index];
      const stop = Math.min(entity.offset + entity.length, end);
      const inner = [];
      let next = index + 1;
      while (next < list.length && list[next].offset < stop) { inner.push(list[next]); next += 1; }
      if (entity.offset > position) parts.push(text.slice(position, entity.offset));
      const element = entityElement(entity, text.slice(entity.offset, stop));
      element.append(...build(Math.max(entity.offset, position), stop, inner));
      parts.push(element);
      position = Math.max(position, stop);
      index = next;
    }
    if (position < end) parts.push(text.slice(position, end));
    return parts;
  };
  return h("div", { class: "text" }, build(0, text.length, sorted));
}

function serviceText(message) {
  if (message.successful_payment) {
    const paid = message.successful_payment;
    return t("playground-paid-service", { name: message.from.first_name, amount: formatMoney(paid.total_amount, paid.currency) });
  }
  if (message.new_chat_members) {
    return message.new_chat_members.map((user) => t("playground-joined", { name: user.first_name })).join(" · ");
  }
  if (message.left_chat_member) return t("playground-left", { name: message.left_chat_member.first_name });
  return null;
}

function photoElement(message) {
  const sizes = message.photo;
  const largest = sizes[sizes.length - 1];
  const src = `${API}/files/${encodeURIComponent(largest.file_id)}`;
  const ratio = largest.width && largest.height ? `${largest.width} / ${largest.height}` : "1";
  return h("a", { class: "photo", href: src, target: "_blank", rel: "noopener" },
    h("img", { src, alt: message.caption ? message.caption.split("\n")[0] : "", loading: "lazy", style: `aspect-ratio:${ratio}` }));
}

function documentElement(doc) {
  const src = `${API}/files/${encodeURIComponent(doc.file_id)}`;
  const size = doc.file_size ? ` · ${Math.max(1, Math.round(doc.file_size / 1024))} KB` : "";
  return h("a", { class: "document", href: src, download: doc.file_name || "file" },
    h("span", { class: "document-icon", "aria-hidden": "true" }, "📄"),
    h("span", {}, h("strong", {}, doc.file_name || t("playground-document")), h("small", {}, `${t("playground-download")}${size}`)));
}

function pollElement(message) {
  const poll = message.poll;
  const total = poll.options.reduce((sum, option) => sum + option.voter_count, 0);
  return h("div", { class: `poll${poll.is_closed ? " closed" : ""}` },
    h("div", { class: "poll-question" }, formatted(poll.question, poll.question_entities)),
    h("small", { class: "poll-kind" }, poll.is_closed ? t("playground-poll-closed") : t(poll.is_anonymous ? "playground-anonymous-poll" : "playground-poll")),
    poll.options.map((option, index) => {
      const share = total ? Math.round((option.voter_count / total) * 100) : 0;
      return h("button", {
        type: "button", class: "poll-option", disabled: poll.is_closed, "data-option": index,
        style: `--share:${share}%`,
        onclick: (event) => busy(event.currentTarget, () => api(`/polls/${poll.id}/vote`, { method: "POST", body: { from_id: state.me, option_ids: [index] } })),
      }, h("span", { class: "poll-text" }, option.text), h("span", { class: "poll-count" }, `${option.voter_count} · ${share} %`));
    }),
    h("small", { class: "poll-total" }, `${poll.total_voter_count} ${t("playground-poll-votes")}`));
}

function invoiceElement(message) {
  const invoice = message.invoice;
  const paid = (message.invoice_details?.paid_by || []).includes(state.me);
  return h("div", { class: "invoice" },
    h("div", { class: "invoice-head" }, h("span", { "aria-hidden": "true" }, "🧾"), h("small", {}, t("playground-invoice"))),
    h("strong", { class: "invoice-title" }, invoice.title),
    h("p", { class: "invoice-description" }, invoice.description),
    h("div", { class: "invoice-total" }, formatMoney(invoice.total_amount, invoice.currency),
      paid ? h("span", { class: "paid-badge" }, `✓ ${t("playground-paid")}`) : null));
}

function keyboardElement(message) {
  const rows = message.reply_markup?.inline_keyboard;
  if (!rows || message.deleted) return null;
  const paid = (message.invoice_details?.paid_by || []).includes(state.me);
  return h("div", { class: "keyboard" }, rows.map((row) => h("div", { class: "keyboard-row" }, row.map((button) => {
    let kind = "callback";
    let action = null;
    if (button.callback_data !== undefined) action = (el) => press(message, button.callback_data, el);
    else if (button.url) { kind = "url"; action = () => { if (!openTelegramLink(button.url)) window.open(button.url, "_blank", "noopener"); }; }
    else if (button.switch_inline_query !== undefined) { kind = "switch"; action = () => pickChatForInline(button.switch_inline_query); }
    else if (button.switch_inline_query_current_chat !== undefined) {
      kind = "switch"; action = () => prefillInline(button.switch_inline_query_current_chat);
    } else if (button.pay) { kind = "pay"; action = () => openPayment(message); }
    return h("button", {
      type: "button", class: `key key-${kind}`, disabled: !action || (button.pay && paid), "data-callback": button.callback_data,
      onclick: (event) => action && action(event.currentTarget),
    }, button.pay && paid ? `✓ ${t("playground-paid")}` : button.text);
  }))));
}

function replyQuote(replied) {
  return h("button", { type: "button", class: "quote", onclick: () => scrollToMessage(replied.message_id) },
    h("strong", {}, replied.from.id === state.me ? t("playground-you") : replied.from.first_name),
    h("span", {}, preview(replied)));
}

function messageElement(message, chat, previous) {
  const own = message.from.id === state.me;
  const service = serviceText(message);
  if (service && !message.text) {
    return h("div", { class: "msg service", "data-id": message.message_id }, h("span", {}, service));
  }
  const group = chat.type !== "private";
  const first = !previous || previous.from.id !== message.from.id || serviceText(previous) || message.date - previous.date > 600;
  const bubble = h("div", { class: `bubble${message.photo && !message.caption ? " media-only" : ""}` });
  if (message.deleted) {
    bubble.append(h("em", { class: "deleted" }, `🗑 ${t("playground-deleted")}`));
  } else {
    if (group && !own && first) {
      bubble.append(h("div", { class: "sender", style: `color:${COLORS[Math.abs(message.from.id) % COLORS.length]}` },
        message.from.first_name, message.via_bot ? h("small", {}, ` ${t("playground-via")} @${message.via_bot.username}`) : null));
    } else if (message.via_bot) {
      bubble.append(h("div", { class: "sender via" }, h("small", {}, `${t("playground-via")} @${message.via_bot.username}`)));
    }
    if (message.reply_to_message) bubble.append(replyQuote(message.reply_to_message));
    if (message.photo) bubble.append(photoElement(message));
    if (message.document) bubble.append(documentElement(message.document));
    if (message.poll) bubble.append(pollElement(message));
    if (message.invoice) bubble.append(invoiceElement(message));
    if (message.text) bubble.append(formatted(message.text, message.entities));
    if (message.caption) bubble.append(formatted(message.caption, message.caption_entities));
  }
  bubble.append(h("span", { class: "meta" },
    message.pinned ? "📌 " : "", message.edit_date && !message.deleted ? `${t("playground-edited")} · ` : "", formatTime(message.date)));
  const side = h("div", { class: "msg-body" }, bubble, keyboardElement(message));
  const showAvatar = group && !own;
  return h("div", {
    class: `msg${own ? " own" : ""}${first ? " first" : ""}${message.deleted ? " is-deleted" : ""}`,
    "data-id": message.message_id, "data-from": message.from.id,
  },
  showAvatar ? (first ? avatar(message.from.id, message.from.first_name, "small") : h("span", { class: "avatar small spacer" })) : null,
  side,
  !message.deleted && !own ? h("button", { type: "button", class: "reply-button", title: t("playground-reply-to"), "aria-label": t("playground-reply-to"), onclick: () => startReply(message) }, "↩") : null);
}

function signature(message) {
  return JSON.stringify([message.version, message.deleted, message.pinned, message.poll?.options?.map((o) => o.voter_count),
    message.invoice_details?.paid_by, state.me, state.lang]);
}

function renderMessages(reset = false) {
  const box = $("messages");
  const chat = state.chats.find((c) => c.id === state.current);
  if (!chat) { box.replaceChildren(); return; }
  if (reset) box.replaceChildren();
  const nearBottom = reset || box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const list = [...(state.messages.get(chat.id) || new Map()).values()];
  const existing = new Map([...box.children].map((el) => [Number(el.dataset.id), el]));
  let previous = null;
  let cursor = box.firstElementChild;
  for (const message of list) {
    const key = signature(message) + (previous ? previous.from.id : "");
    let element = existing.get(message.message_id);
    if (!element || element.dataset.sig !== key) {
      const fresh = messageElement(message, chat, previous);
      fresh.dataset.sig = key;
      if (element) element.replaceWith(fresh); else box.insertBefore(fresh, cursor);
      element = fresh;
    }
    cursor = element.nextElementSibling;
    previous = message;
  }
  $("empty").hidden = list.length > 0;
  if (nearBottom) box.scrollTop = box.scrollHeight;
  if (list.length) state.seen[`${state.me}:${chat.id}`] = list[list.length - 1].message_id;
  renderPinned(list);
}

function renderPinned(list) {
  const pinned = list.filter((m) => m.pinned && !m.deleted).pop();
  const bar = $("pinned");
  bar.hidden = !pinned;
  if (pinned) {
    $("pinned-text").textContent = preview(pinned);
    bar.onclick = () => scrollToMessage(pinned.message_id);
  }
}

function scrollToMessage(id) {
  const element = $("messages").querySelector(`[data-id="${id}"]`);
  if (!element) return;
  element.scrollIntoView({ behavior: "smooth", block: "center" });
  element.classList.add("flash");
  setTimeout(() => element.classList.remove("flash"), 1200);
}

function renderHeader() {
  const chat = state.chats.find((c) => c.id === state.current);
  $("conversation").classList.toggle("no-chat", !chat);
  if (!chat) return;
  $("chat-title").textContent = chatName(chat);
  $("chat-avatar").replaceWith(Object.assign(chat.type === "private" ? avatar(state.bot.id, state.bot.first_name) : groupAvatar(chat), { id: "chat-avatar" }));
  $("chat-subtitle").textContent = chat.type === "private"
    ? `@${state.bot.username} · ${t("playground-bot")}`
    : `${t("playground-members")}: ${chat.member_ids.map(userName).join(", ")}`;
}

function renderAll(reset = false) {
  renderPeople();
  renderChatList();
  renderHeader();
  renderMessages(reset);
}

// ---------- actions ----------

async function busy(element, work) {
  if (element.getAttribute("aria-busy") === "true") return undefined;
  element.setAttribute("aria-busy", "true");
  element.disabled = true;
  try { return await work(); } catch (error) { fail(error); return undefined; } finally {
    element.removeAttribute("aria-busy");
    element.disabled = false;
  }
}

async function becomeUser(id) {
  const stay = state.chats.find((c) => c.id === state.current && c.member_ids.includes(id));
  state.me = id;
  localStorage.setItem("playground-me", String(id));
  cancelReply();
  hideInline();
  await Promise.all(myChats().filter((c) => !state.messages.has(c.id)).map((c) => loadMessages(c.id)));
  const chat = stay || myChats().find((c) => c.type === "private") || myChats()[0];
  state.current = chat ? chat.id : null;
  renderAll(true);
}

async function openChat(id) {
  state.current = id;
  cancelReply();
  hideInline();
  if (!state.messages.has(id)) await loadMessages(id);
  document.getElementById("app").classList.add("show-chat");
  renderAll(true);
  $("text").focus({ preventScroll: true });
}

async function sendText(text) {
  if (!state.current || !text.trim()) return;
  const body = { from_id: state.me, text };
  if (state.replyTo) body.reply_to_message_id = state.replyTo.message_id;
  cancelReply();
  hideInline();
  const sent = await api(`/chats/${state.current}/messages`, { method: "POST", body });
  changed(state.current, sent.message_id);
}

async function press(message, data, element) {
  const chatId = message.chat.id;
  const result = await busy(element, () => api(`/chats/${chatId}/messages/${message.message_id}/press`, {
    method: "POST", body: { from_id: state.me, callback_data: data },
  }));
  if (result && result.answer && result.answer.text) toast(result.answer.text, result.answer.show_alert);
}

function openTelegramLink(url) {
  const match = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]*)$/.exec(url || "");
  if (!match || !state.bot || match[1].toLowerCase() !== state.bot.username.toLowerCase()) return false;
  (async () => {
    if (!state.chats.some((c) => c.id === state.me)) {
      await api("/chats", { method: "POST", body: { type: "private", member_ids: [state.me] } });
      await loadPeople();
    }
    await openChat(state.me);
    await sendText(match[2] ? `/start ${match[2]}` : "/start");
  })().catch(fail);
  return true;
}

function startReply(message) {
  state.replyTo = message;
  $("replying").hidden = false;
  $("replying-to").textContent = `${message.from.first_name}: ${preview(message)}`;
  $("text").focus();
}

function cancelReply() {
  state.replyTo = null;
  $("replying").hidden = true;
}

// ---------- inline mode ----------

function inlinePrefix() { return `@${state.bot.username} `; }

function prefillInline(query) {
  const input = $("text");
  input.value = inlinePrefix() + (query || "");
  input.focus();
  composerChanged();
}

function pickChatForInline(query) {
  const sheet = $("sheet");
  sheet.replaceChildren(h("form", { method: "dialog", class: "sheet-body" },
    h("h2", {}, t("playground-choose-chat")),
    h("div", { class: "picker" }, myChats().map((chat) => h("button", {
      type: "button", class: "chat-item", "data-chat": chat.id,
      onclick: async () => { sheet.close(); await openChat(chat.id); prefillInline(query); },
    }, chat.type === "private" ? avatar(state.bot.id, state.bot.first_name) : groupAvatar(chat), h("strong", {}, chatName(chat))))),
    h("div", { class: "sheet-actions" }, h("button", { class: "secondary", value: "cancel" }, t("playground-cancel")))));
  sheet.showModal();
}

let inlineTimer = null;
let inlineSerial = 0;

function composerChanged() {
  const input = $("text");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  const text = input.value;
  if (!state.bot || !text.toLowerCase().startsWith(inlinePrefix().toLowerCase())) { hideInline(); return; }
  clearTimeout(inlineTimer);
  inlineTimer = setTimeout(() => runInline(text.slice(inlinePrefix().length)), 250);
}

async function runInline(query) {
  const serial = ++inlineSerial;
  const box = $("inline-results");
  box.hidden = false;
  box.replaceChildren(h("div", { class: "inline-note" }, t("playground-inline-loading")));
  try {
    const answer = await api("/inline", { method: "POST", body: { from_id: state.me, chat_id: state.current, query, timeout: 8 } });
    if (serial !== inlineSerial) return;
    state.inline = answer;
    if (!answer.results.length) { box.replaceChildren(h("div", { class: "inline-note" }, t("playground-inline-empty"))); return; }
    box.replaceChildren(...answer.results.map((result) => {
      const thumb = result.thumbnail_url || result.photo_url || result.thumb_url;
      const title = result.title || (result.caption || "").split("\n")[0] || result.id;
      const description = result.description || (result.input_message_content?.message_text || "").split("\n")[0];
      return h("button", { type: "button", class: "inline-result", role: "option", "data-result": result.id, onclick: () => chooseInline(result.id) },
        thumb ? h("img", { src: thumb, alt: "" }) : h("span", { class: "inline-thumb" }, "K"),
        h("span", { class: "inline-text" }, h("strong", {}, title), description ? h("small", {}, description) : null));
    }));
  } catch (error) {
    if (serial === inlineSerial) { hideInline(); fail(error); }
  }
}

async function chooseInline(resultId) {
  const answer = state.inline;
  hideInline();
  $("text").value = "";
  composerChanged();
  const posted = await api(`/inline/${answer.inline_query_id}/choose`, { method: "POST", body: { result_id: resultId } }).catch(fail);
  if (posted) changed(state.current, posted.message_id);
}

function hideInline() {
  inlineSerial += 1;
  clearTimeout(inlineTimer);
  $("inline-results").hidden = true;
  state.inline = null;
}

// ---------- payments ----------

function openPayment(message) {
  const invoice = message.invoice;
  const details = message.invoice_details || { prices: [], is_flexible: false };
  const sheet = $("sheet");
  const chatId = message.chat.id;
  let options = [];
  let chosen = null;
  const itemsTotal = details.prices.reduce((sum, price) => sum + price.amount, 0) || invoice.total_amount;
  const address = { ...DEFAULT_ADDRESS };
  const total = h("strong", { class: "sheet-total-amount" });
  const optionBox = h("div", { class: "shipping-options", role: "radiogroup" });
  const result = h("div", { class: "pay-result", role: "status" });
  const payButton = h("button", { type: "button", class: "primary pay-now" }, t("playground-pay-now"));

  const updateTotal = () => {
    const shipping = chosen ? chosen.prices.reduce((sum, price) => sum + price.amount, 0) : 0;
    total.textContent = formatMoney(itemsTotal + shipping, invoice.currency);
    payButton.disabled = details.is_flexible && !chosen;
  };
  const field = (name, key) => h("label", { class: "field" }, h("span", {}, t(name)),
    h("input", { value: address[key], name: key, oninput: (event) => { address[key] = event.target.value; } }));
  const askShipping = async (button) => {
    optionBox.replaceChildren(h("p", { class: "inline-note" }, t("playground-busy")));
    chosen = null;
    updateTotal();
    const answer = await busy(button, () => api(`/chats/${chatId}/messages/${message.message_id}/shipping`, {
      method: "POST", body: { from_id: state.me, shipping_address: address },
    }));
    if (!answer) { optionBox.replaceChildren(); return; }
    if (!answer.ok) { optionBox.replaceChildren(h("p", { class: "error" }, answer.error_message)); return; }
    options = answer.shipping_options;
    optionBox.replaceChildren(...options.map((option) => h("label", { class: "shipping-option" },
      h("input", { type: "radio", name: "shipping", value: option.id, onchange: () => { chosen = option; updateTotal(); } }),
      h("span", {}, option.title),
      h("strong", {}, formatMoney(option.prices.reduce((sum, price) => sum + price.amount, 0), invoice.currency)))));
  };
  const updateButton = h("button", { type: "button", class: "secondary", onclick: (event) => askShipping(event.currentTarget) }, t("playground-get-shipping"));

  payButton.addEventListener("click", async () => {
    const body = { from_id: state.me, shipping_address: address };
    if (chosen) body.shipping_option_id = chosen.id;
    const answer = await busy(payButton, () => api(`/chats/${chatId}/messages/${message.message_id}/pay`, { method: "POST", body, timeout: 15 }));
    if (!answer) return;
    if (answer.status === "paid") {
      result.replaceChildren(h("p", { class: "success" }, `✓ ${t("playground-payment-done")} · ${formatMoney(answer.total_amount, invoice.currency)}`));
      payButton.hidden = true;
      updateButton.disabled = true;
    } else {
      result.replaceChildren(h("p", { class: "error" }, `${t("playground-payment-rejected")}: ${answer.error_message}`));
    }
  });

  sheet.replaceChildren(h("form", { method: "dialog", class: "sheet-body payment" },
    h("header", { class: "sheet-head" }, h("span", { class: "sheet-icon", "aria-hidden": "true" }, "🧾"),
      h("div", {}, h("small", {}, t("playground-payment-title")), h("h2", {}, invoice.title))),
    h("p", { class: "muted" }, invoice.description),
    h("ul", { class: "line-items" }, details.prices.map((price) => h("li", {}, h("span", {}, price.label), h("span", {}, formatMoney(price.amount, invoice.currency))))),
    details.is_flexible ? h("section", { class: "shipping" },
      h("h3", {}, t("playground-shipping-address")),
      h("div", { class: "address" }, field("playground-street", "street_line1"), field("playground-post-code", "post_code"),
        field("playground-city", "city"), field("playground-country", "country_code")),
      updateButton,
      h("h3", {}, t("playground-shipping-options")), optionBox) : null,
    h("div", { class: "sheet-footer" },
      h("div", { class: "sheet-total" }, h("span", {}, t("playground-total")), total),
      result,
      h("div", { class: "sheet-actions" }, h("button", { class: "secondary", value: "close" }, t("playground-close")), payButton))));
  updateTotal();
  sheet.showModal();
  if (details.is_flexible) askShipping(updateButton);
}

// ---------- clock and faults ----------

function showClock(now) {
  const moment = new Date(now);
  const clock = $("clock");
  clock.dateTime = now;
  clock.textContent = new Intl.DateTimeFormat(locale(), { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE }).format(moment);
}

async function loadClock() { showClock((await api("/clock")).now); }

async function advance(button) {
  const buttons = [$("plus-hour"), $("plus-day")];
  for (const other of buttons) other.disabled = true;
  $("panel").classList.add("busy");
  try {
    await busy(button, async () => showClock((await api("/clock/advance", { method: "POST", body: { seconds: Number(button.dataset.seconds) } })).now));
  } finally {
    for (const other of buttons) other.disabled = false;
    $("panel").classList.remove("busy");
  }
}

async function loadFaults() {
  state.faults = await api("/faults");
  $("rate-limits").checked = Boolean(state.faults.rate_limits);
  const rate = String(state.faults.error_rate ?? 0);
  const select = $("error-rate");
  if (![...select.options].some((o) => o.value === rate)) select.append(h("option", { value: rate }, `${Math.round(Number(rate) * 100)} %`));
  select.value = rate;
}

async function saveFaults() {
  const settings = { ...state.faults, rate_limits: $("rate-limits").checked, error_rate: Number($("error-rate").value) };
  try { state.faults = await api("/faults", { method: "PUT", body: settings }); } catch (error) { fail(error); await loadFaults(); }
}

// ---------- start ----------

function wire() {
  for (const button of document.querySelectorAll("[data-lang]")) button.addEventListener("click", () => setLanguage(button.dataset.lang).catch(fail));
  $("back").addEventListener("click", () => document.getElementById("app").classList.remove("show-chat"));
  $("reply-cancel").addEventListener("click", cancelReply);
  $("plus-hour").addEventListener("click", (event) => advance(event.currentTarget));
  $("plus-day").addEventListener("click", (event) => advance(event.currentTarget));
  $("rate-limits").addEventListener("change", saveFaults);
  $("error-rate").addEventListener("change", saveFaults);
  const input = $("text");
  input.addEventListener("input", composerChanged);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); $("composer").requestSubmit(); }
    if (event.key === "Escape") { hideInline(); cancelReply(); }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    composerChanged();
    sendText(text).catch(fail);
  });
}

async function start() {
  wire();
  const stored = localStorage.getItem("playground-lang");
  const browser = (navigator.language || "en").toLowerCase().startsWith("de") ? "de" : "en";
  await setLanguage(stored === "de" || stored === "en" ? stored : browser);
  state.bot = await api("/bot");
  await loadPeople();
  const remembered = Number(localStorage.getItem("playground-me"));
  const first = state.users.find((u) => u.id === remembered) || state.users[0];
  await Promise.all([loadClock(), loadFaults()]);
  connect();
  state.loaded = true;
  if (first) await becomeUser(first.id); else renderAll(true);
  document.body.classList.add("ready");
}

start().catch(fail);
