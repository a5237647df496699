// The Baton playground's page: plain JavaScript, no build step.
// Every piece of HTML inserted below comes from the server, which escapes all text in it
// (handlers/local/render.py); anything else is set with textContent.
"use strict";

const HINTS = [
  ["help", "everything Baton can do"],
  ["join", "opt in to the rota (try it as Eve)"],
  ["who", "who is on duty now, and the next three shifts"],
  ["schedule", "the next six shifts"],
  ["posted", "record a post, in a form"],
  ["posted twitter https://x.com/riversidelib/status/1 Storytime photos", "record a post in one go"],
  ["channels", "every outreach channel: last post, days quiet, stewards"],
  ["stats", "posts per channel and per person (directors and coordinators)"],
  ["away tomorrow", "book a day away"],
  ["swap @ben", "ask Ben to swap your next shift for his"],
  ["skip", "pass your current shift to the next person"],
  ["leave", "opt out of the rota"],
  ["digest preview", "the weekly digest as it would be now (coordinators: try Ada)"],
  ["digest to #outreach", "post the weekly digest in a chat channel too"],
  ["role @eve coordinator", "make Eve a coordinator (as Ada)"],
];

const state = {
  person: null,
  staff: [],
  seen: {},          // person id -> how many direct messages they have seen
  logs: new Map(),   // person id -> their <ol> of replies
  busy: false,
};

const $ = (selector) => document.querySelector(selector);

async function api(path, body) {
  const options = body === undefined
    ? {headers: {"Accept": "application/json"}}
    : {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify(body),
      };
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(data.error || `The server answered ${response.status}.`);
  }
  return data;
}

function say(text) {
  $("#status").textContent = text;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fromServer(html) {
  // Server-rendered, escaped HTML (see the note at the top).
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

// -- who you are ------------------------------------------------------------------------

function personName(id) {
  const member = state.staff.find((m) => m.id === id);
  return member ? member.name : id;
}

function logFor(id) {
  if (!state.logs.has(id)) {
    const log = element("ol", "feed");
    log.dataset.person = id;
    $("#replies").append(log);
    state.logs.set(id, log);
  }
  return state.logs.get(id);
}

function showPerson(id) {
  state.person = id;
  try { localStorage.setItem("baton-playground-person", id); } catch (e) { /* private mode */ }
  const member = state.staff.find((m) => m.id === id);
  $("#about").textContent = member ? member.about : "";
  for (const [owner, log] of state.logs) log.hidden = owner !== id;
  logFor(id).hidden = false;
}

function renderStaff() {
  const select = $("#person");
  const chosen = state.person;
  select.replaceChildren();
  for (const member of state.staff) {
    const unread = member.messages - (state.seen[member.id] || 0);
    let label = `${member.name} (@${member.handle})`;
    if (member.left) label += ": has left the library";
    else if (unread > 0 && member.id !== chosen) {
      label += `: ${unread} new message${unread === 1 ? "" : "s"}`;
    }
    const option = element("option", "", label);
    option.value = member.id;
    option.selected = member.id === chosen;
    option.disabled = member.left && member.id !== chosen;
    select.append(option);
  }
  renderLeavers();
}

function renderLeavers() {
  const select = $("#leaver");
  const chosen = select.value || "ben";
  select.replaceChildren();
  for (const member of state.staff) {
    const label = `${member.name} (@${member.handle})${member.left ? ": has left" : ""}`;
    const option = element("option", "", label);
    option.value = member.id;
    option.selected = member.id === chosen;
    select.append(option);
  }
}

function stillHere() {
  // Whoever the page acts as must still be at the library: a coordinator if possible.
  const member = state.staff.find((m) => m.id === state.person);
  if (!member || !member.left) return;
  const next = state.staff.find((m) => m.id === "ada" && !m.left)
    || state.staff.find((m) => !m.left);
  if (next) showPerson(next.id);
}

// -- panels -----------------------------------------------------------------------------

function messageItem(item, isNew) {
  const li = element("li", "entry" + (isNew ? " new" : ""));
  const article = element("article", "message");
  if (item.summary.startsWith("Weekly digest")) article.classList.add("digest");
  const meta = element("p", "meta");
  const time = element("time", "", item.at_label);
  time.dateTime = item.at;
  meta.append(time);
  if (isNew) meta.append(element("span", "badge", "new"));
  article.append(meta, fromServer(item.html));
  li.append(article);
  return li;
}

async function refreshMessages() {
  const id = state.person;
  const data = await api(`/playground/messages?as=${encodeURIComponent(id)}`);
  if (id !== state.person) return;
  const list = $("#messages");
  const seen = state.seen[id] || 0;
  list.replaceChildren(...data.messages.map((item, i) => messageItem(item, i >= seen)));
  if (!data.messages.length) {
    list.append(element("li", "empty", "No direct messages yet."));
  }
  state.seen[id] = data.messages.length;
}

async function refreshHome(view) {
  const id = state.person;
  const home = view || (await api(`/playground/home?as=${encodeURIComponent(id)}`)).home;
  if (id !== state.person) return;
  $("#home").replaceChildren(fromServer(home.html));
}

async function refreshChat() {
  const data = await api("/playground/chat-channels");
  const box = $("#chat");
  box.replaceChildren();
  for (const channel of data.chat_channels) {
    const heading = element("h3", "", `#${channel.name}`);
    const list = element("ol", "feed");
    for (const post of channel.posts) list.append(messageItem(post, false));
    if (!channel.posts.length) list.append(element("li", "empty", "Nothing posted yet."));
    box.append(heading, list);
  }
}

async function refreshStaff() {
  const data = await api("/playground/staff");
  state.staff = data.staff;
  $("#workspace").textContent = data.workspace;
  $("#clock").textContent = data.clock.label;
  $("#chat-names").textContent = data.chat_channels.map((c) => `#${c}`).join(" and ");
  renderStaff();
}

async function refresh(homeView) {
  await refreshMessages();
  await Promise.all([refreshStaff(), refreshHome(homeView), refreshChat()]);
}

// -- replies ----------------------------------------------------------------------------

function addEntry(said, reply) {
  const li = element("li", "entry");
  li.append(element("p", "said", said));
  const body = element("div", "message reply");
  body.append(fromServer(reply.html));
  li.append(body);
  logFor(state.person).append(li);
  li.scrollIntoView({block: "nearest"});
  const field = li.querySelector("form select, form input, form textarea");
  if (field) field.focus();
  return li;
}

const BUSY_BUTTONS = ".step, #reset, #leave, #come-back";

async function withBusy(work) {
  if (state.busy) return;
  state.busy = true;
  document.body.setAttribute("aria-busy", "true");
  for (const button of document.querySelectorAll(BUSY_BUTTONS)) button.disabled = true;
  try {
    await work();
  } catch (error) {
    say(error.message);
  } finally {
    state.busy = false;
    document.body.removeAttribute("aria-busy");
    for (const button of document.querySelectorAll(BUSY_BUTTONS)) button.disabled = false;
  }
}

async function sendCommand(text) {
  const data = await api("/playground/command", {as: state.person, text});
  addEntry(`You: /duty ${text}`, data.reply);
  await refresh();
}

async function press(button) {
  const where = button.closest("#home") ? "home" : "message";
  const data = await api("/playground/press", {
    as: state.person,
    action: button.dataset.action,
    value: button.dataset.value || "",
    where,
  });
  if (where === "home" && data.reply.kind === "message") {
    say(`You pressed “${button.textContent}” on your Home.`);
    await refresh(data.reply);
    $("#home").focus();
    return;
  }
  addEntry(`You pressed “${button.textContent}”`, data.reply);
  await refresh();
}

function showErrors(form, errors) {
  let first = null;
  for (const field of form.querySelectorAll("[name]")) {
    const message = errors[field.name];
    const slot = form.querySelector(`#${CSS.escape(field.id)}-error`);
    if (message) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
    if (slot) {
      slot.textContent = message || "";
      slot.hidden = !message;
    }
    if (message && !first) first = field;
  }
  if (first) first.focus();
}

async function submitForm(form) {
  const answers = {};
  for (const [name, value] of new FormData(form)) answers[name] = String(value);
  const data = await api("/playground/submit", {
    as: state.person,
    form_id: form.dataset.formId,
    submission: form.dataset.submission,
    answers,
  });
  if (data.reply.kind === "errors") {
    showErrors(form, data.reply.errors);
    return;
  }
  form.replaceWith(fromServer(data.reply.html));
  await refresh();
  $("#command").focus();
}

// -- the clock --------------------------------------------------------------------------

async function moveClock(step) {
  say(`Moving the clock forward (${step})…`);
  const data = await api("/playground/clock", {step});
  $("#clock").textContent = data.clock.label;
  await refresh();
  say(data.summary + othersWaiting());
}

function othersWaiting() {
  const waiting = state.staff
    .filter((m) => m.id !== state.person && !m.left && m.messages > (state.seen[m.id] || 0))
    .map((m) => m.name);
  return waiting.length ? ` New messages for ${waiting.join(", ")}: pick them under “You are”.` : "";
}

// -- people come and go -----------------------------------------------------------------

async function leaving(leaves) {
  const person = $("#leaver").value;
  say(`${personName(person)} ${leaves ? "is leaving the library" : "is coming back"}…`);
  const data = await api(leaves ? "/playground/leave" : "/playground/come-back", {person});
  await refreshStaff();
  stillHere();
  renderStaff();
  await refresh();
  say(data.summary + othersWaiting());
}

async function reset() {
  if (!window.confirm("Start the demo afresh? Everything done here is forgotten.")) return;
  say("Resetting the demo library…");
  const data = await api("/playground/reset", {});
  for (const log of state.logs.values()) log.remove();
  state.logs.clear();
  state.seen = {};
  showPerson(state.person);
  await refresh();
  say(data.summary);
}

// -- wiring -----------------------------------------------------------------------------

function buildHints() {
  const datalist = $("#hints");
  const list = $("#hint-list");
  for (const [command, what] of HINTS) {
    const option = element("option");
    option.value = command;
    datalist.append(option);
    const li = element("li");
    const button = element("button", "hint", command);
    button.type = "button";
    button.dataset.command = command;
    li.append(button, document.createTextNode(` ${what}`));
    list.append(li);
  }
}

async function start() {
  buildHints();
  $("#home").tabIndex = -1;
  await refreshStaff();
  let saved = null;
  try { saved = localStorage.getItem("baton-playground-person"); } catch (e) { /* private mode */ }
  const first = state.staff.find((m) => m.id === saved && !m.left)
    || state.staff.find((m) => m.id === "eve" && !m.left)
    || state.staff.find((m) => !m.left) || state.staff[0];
  showPerson(first.id);
  renderStaff();
  await refresh();

  $("#person").addEventListener("change", async (event) => {
    showPerson(event.target.value);
    say(`You are ${personName(state.person)} now.`);
    try {
      await refresh();
    } catch (error) {
      say(error.message);
    }
  });

  $("#command-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#command");
    const text = input.value.trim().replace(/^\/?duty(\s+|$)/i, "");
    input.value = "";
    withBusy(() => sendCommand(text)).then(() => input.focus());
  });

  document.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.classList.contains("hint")) {
      $("#command").value = target.dataset.command;
      $("#command").focus();
    } else if (target.classList.contains("action")) {
      withBusy(() => press(target));
    } else if (target.classList.contains("step")) {
      withBusy(() => moveClock(target.dataset.step));
    } else if (target.id === "reset") {
      withBusy(reset);
    } else if (target.id === "leave" || target.id === "come-back") {
      withBusy(() => leaving(target.id === "leave"));
    } else if (target.classList.contains("cancel")) {
      const entry = target.closest(".entry");
      if (entry) entry.remove();
      $("#command").focus();
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.baton-form");
    if (!form) return;
    event.preventDefault();
    withBusy(() => submitForm(form));
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // The page says it is busy (index.html) until every control is wired and answers.
  start()
    .catch((error) => say(`The playground could not start: ${error.message}`))
    .finally(() => document.body.removeAttribute("aria-busy"));
});
