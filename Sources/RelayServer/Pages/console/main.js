// The advocates' console: sign-in and enrolment, then the queue and the thread pane side by side,
// live; the supervisor's view; keyboard shortcuts; the idle warning and a clean sign-out.

import { api, explain, forget, onSessionEnd, signIn, signOut } from "./api.js";
import { applyLanguage, switchLanguage, t, duration } from "./i18n.js";
import { LiveStream } from "./stream.js";
import { QueuePane } from "./queue.js";
import { ThreadPane } from "./thread.js";
import { AdminScreen, AuditScreen } from "./admin.js";
import { TrendsScreen } from "./trends.js";
import { ask } from "./dialogs.js";
import { qrSVG } from "./qr.js";

const $ = (id) => document.getElementById(id);
const IDLE_LIMIT = 30 * 60 * 1000;   // the server ends a session after 30 idle minutes
const IDLE_WARNING = 5 * 60 * 1000;  // warn this long before

let session = null; // { name, role, expiresAt, queue, thread, stream }
let lastActivity = Date.now();
let clock = null;
let refreshing = null;

function show(section) {
  for (const id of ["sign-in", "enrol", "work", "supervisor", "admin", "audit", "trends"]) { $(id).hidden = id !== section; }
  const inside = !["sign-in", "enrol"].includes(section);
  $("nav").hidden = !inside;
  $("sign-out").hidden = !inside;
  $("help-open").hidden = !inside;
}

function notice(text) {
  $("notice").textContent = text || "";
  $("notice").hidden = !text;
}

async function settings() {
  const [canned, dispositions, typology, regions] = await Promise.all([
    api.get("/api/v1/canned-responses"), api.get("/api/v1/dispositions"), api.get("/api/v1/typology"), api.get("/api/v1/regions")]);
  return {
    canned: canned.ok ? canned.body.responses : [],
    dispositions: dispositions.ok ? dispositions.body.dispositions : [],
    typology: typology.ok ? typology.body.tags : [],
    regions: regions.ok ? regions.body.regions : [],
    reachedOutBy: regions.ok ? regions.body.reached_out_by : [],
  };
}

async function startSession(name, answer) {
  notice("");
  lastActivity = Date.now();
  const config = await settings();
  session = { name, role: answer.role, expiresAt: Date.parse(answer.expires_at) };
  $("who").textContent = name + " · " + t("roles." + answer.role);
  const working = answer.role === "advocate" || answer.role === "supervisor";
  $("nav-queue").hidden = !working;
  $("nav-supervisor").hidden = answer.role !== "supervisor";
  $("nav-admin").hidden = answer.role !== "admin";
  $("nav-audit").hidden = !(answer.role === "admin" || answer.role === "compliance");
  $("nav-trends").hidden = !(answer.role === "supervisor" || answer.role === "compliance");
  // Every listener the panes add ends with the session: a later sign-in in this tab starts clean.
  session.listeners = new AbortController();
  const signal = session.listeners.signal;
  session.admin = new AdminScreen({ me: name, signal });
  session.audit = new AuditScreen({ signal });
  session.trends = new TrendsScreen({ signal });
  session.queue = new QueuePane({ me: name, onOpen: (item) => openThread(item), signal });
  session.thread = new ThreadPane({ me: name, role: answer.role, settings: config, onChanged: (what) => changed(what), signal });
  session.stream = new LiveStream({
    onEvent: (name, data) => liveEvent(name, data),
    onState: (live) => { $("live").textContent = live ? t("live") : t("reconnecting"); $("live").className = live ? "live up" : "live down"; },
    onCatchUp: () => refreshAll(),
    onEnded: () => endSession("signedOut"),
  });
  if (answer.role === "admin") { show("admin"); await session.admin.load(); }
  if (answer.role === "compliance") { show("audit"); await session.audit.load(false); }
  if (working) {
    show("work");
    await session.queue.refresh();
    session.stream.start();
    const first = $("queue").querySelector("button");
    if (first) { first.focus(); }
  }
  clock = setInterval(checkIdle, 1000);
}

/// Forgets everything shown: the panes are emptied, the token is gone, the sign-in form is back.
function endSession(reason) {
  if (session) {
    session.listeners.abort();
    session.stream.stop();
    session.queue.stop();
    session.thread.forget();
    session.admin.clear();
    session.audit.clear();
    session.trends.clear();
  }
  session = null;
  forget();
  clearInterval(clock);
  for (const dialog of document.querySelectorAll("dialog")) { if (dialog.open) { dialog.close(); } }
  $("queue").replaceChildren();
  $("thread-pane").hidden = true;
  $("case-pane").hidden = true;
  $("stats").querySelector("tbody").replaceChildren();
  $("assignments").replaceChildren();
  $("who").textContent = "";
  $("live").textContent = "";
  document.title = "SafeRelay";
  // Every field back to its first state: typed text, ticks and choices alike (the language stays).
  for (const form of document.querySelectorAll("form")) { form.reset(); }
  for (const input of document.querySelectorAll("input, textarea")) {
    if (input.type === "checkbox" || input.type === "radio") { input.checked = input.defaultChecked; } else { input.value = ""; }
  }
  for (const select of document.querySelectorAll("select")) { select.selectedIndex = 0; }
  for (const id of ["totp-secret", "totp-uri", "totp-qr", "sign-in-error", "enrol-error"]) { $(id).textContent = ""; }
  $("enrol-done").hidden = true;
  $("enrol-form").hidden = false;
  show("sign-in");
  notice(reason ? t(reason) : "");
  $("si-name").focus();
}

function refreshAll() {
  if (!session) { return; }
  if (refreshing) { return; }
  refreshing = (async () => {
    await session.queue.refresh();
    if (session && session.thread.id && !$("thread-pane").hidden) { await session.thread.load(); }
    if (session && !$("supervisor").hidden) { await supervisorView(); }
  })().finally(() => { refreshing = null; });
}

function liveEvent(name, data) {
  if (!session) { return; }
  if (name === "queue.changed" || name === "thread.message") {
    session.queue.refresh();
    if (data.thread && data.thread === session.thread.id && !$("thread-pane").hidden) { session.thread.load(); }
    if (!$("supervisor").hidden) { supervisorView(); }
  } else if (name === "reply.status" && data.thread === session.thread.id && !$("thread-pane").hidden) {
    session.thread.load();
  }
}

async function openThread(item) {
  const answer = await session.thread.open(item);
  if (!answer.ok) {
    if (!answer.cancelled) { notice(explain(answer)); }
    return;
  }
  notice("");
  $("thread-pane").hidden = false;
  $("case-pane").hidden = false;
  // The pane takes the focus, not the reply box, so that c, 1 … 9 and x work at once; r (or a
  // canned response) goes to the box.
  $("thread-pane").focus();
}

function backToQueue() {
  $("thread-pane").hidden = true;
  $("case-pane").hidden = true;
  session.thread.leave();
  const row = $("queue").children[session.queue.selected];
  if (row) { row.querySelector("button").focus(); }
}

function changed(what) {
  session.queue.refresh();
  if (what === "closed") { backToQueue(); }
}

async function supervisorView() {
  const stats = await api.get("/api/v1/stats");
  if (!stats.ok) { notice(explain(stats)); return; }
  $("stats").querySelector("tbody").replaceChildren(...Object.entries(stats.body.channels).map(([channel, figures]) => {
    const row = document.createElement("tr");
    const cells = [t("channels." + channel), String(figures.waiting_now), duration(figures.longest_wait_seconds),
      figures.first_response_p50_seconds == null ? "—" : duration(figures.first_response_p50_seconds),
      figures.first_response_p90_seconds == null ? "—" : duration(figures.first_response_p90_seconds)];
    row.append(...cells.map((text) => { const cell = document.createElement("td"); cell.textContent = text; return cell; }));
    return row;
  }));
  $("assignments").replaceChildren(...session.queue.items.filter((item) => item.assigned_to).map((item) => {
    const li = document.createElement("li");
    li.dataset.thread = item.thread;
    li.textContent = item.assigned_to + " — " + item.pseudonym + " (" + t("channels." + item.channel) + ") ";
    const move = document.createElement("button");
    move.type = "button";
    move.className = "small reassign";
    move.textContent = t("reassign");
    move.addEventListener("click", () => reassign(item));
    li.append(move);
    return li;
  }));
}

/// A supervisor hands a thread to another advocate: whom, and why (the purpose is audited).
async function reassign(item) {
  const target = await ask({ title: t("transferTitle"), text: t("transferText"), label: t("transferLabel"), free: true });
  if (!target) { return; }
  const purposes = await api.get("/api/v1/purposes");
  if (!purposes.ok) { notice(explain(purposes)); return; }
  const purpose = await ask({
    title: t("purposeTitle"), text: t("purposeText"), label: t("purposeLabel"),
    options: purposes.body.purposes.map((p) => [p.code, p.label]), note: true,
  });
  if (!purpose) { return; }
  const header = purpose.note ? purpose.value + ": " + purpose.note : purpose.value;
  const answer = await api.post("/api/v1/threads/" + encodeURIComponent(item.thread) + "/transfer", { to: target.value }, { "X-Access-Purpose": header });
  if (!answer.ok) { notice(explain(answer)); return; }
  notice("");
  await session.queue.refresh();
  await supervisorView();
}

function checkIdle() {
  if (!session) { return; }
  const now = Date.now();
  if (now >= session.expiresAt) { signOut(); endSession("signedOutLimit"); return; }
  const idle = now - lastActivity;
  if (idle >= IDLE_LIMIT) { signOut(); endSession("signedOutIdle"); return; }
  const dialog = $("idle");
  if (idle >= IDLE_LIMIT - IDLE_WARNING) {
    $("idle-text").textContent = t("idleText", { minutes: Math.ceil((IDLE_LIMIT - idle) / 60000) });
    if (!dialog.open) { dialog.showModal(); $("idle-stay").focus(); }
  } else if (dialog.open) {
    dialog.close();
  }
}

/// The advocate is here: the page's idle clock restarts, and at most every five minutes one light
/// request moves the server's too (its idle end counts API use, not key presses).
let lastKeepAlive = Date.now();
function activity() {
  lastActivity = Date.now();
  if (session && lastActivity - lastKeepAlive > 5 * 60 * 1000) {
    lastKeepAlive = lastActivity;
    api.get("/api/v1/purposes");
  }
}

async function stayActive() {
  lastActivity = Date.now();
  $("idle").close();
  // One authenticated request moves the server's idle clock too.
  await api.get("/api/v1/purposes");
}

function shortcuts(event) {
  if (!session || $("work").hidden) { return; }
  if (document.querySelector("dialog[open]")) { return; }
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
  // Escape in a field only leaves the field (what was typed stays); outside one it goes back.
  if (event.key === "Escape") { if (typing) { event.target.blur(); } else { backToQueue(); } return; }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
  const inThread = !$("thread-pane").hidden;
  const actions = {
    j: () => session.queue.move(1), ArrowDown: () => session.queue.move(1),
    k: () => session.queue.move(-1), ArrowUp: () => session.queue.move(-1),
    o: () => { const item = session.queue.current(); if (item) { openThread(item); } },
    Enter: () => { const item = session.queue.current(); if (item && !inThread) { openThread(item); } },
    c: () => { if (inThread) { session.thread.claim(); } },
    r: () => { if (inThread) { $("reply-text").focus(); } },
    x: () => { if (inThread) { session.thread.close(); } },
    b: () => backToQueue(),
    "?": () => $("help").showModal(),
  };
  if (inThread && /^[1-9]$/.test(event.key)) {
    event.preventDefault();
    session.thread.useCannedAt(Number(event.key) - 1);
    return;
  }
  const action = actions[event.key];
  if (action) {
    if (event.key === "Enter" && event.target.tagName === "BUTTON") { return; }
    event.preventDefault();
    action();
  }
}

function fillHelp() {
  $("help-list").replaceChildren(...t("shortcuts").flatMap(([keys, what]) => {
    const term = document.createElement("dt");
    term.textContent = keys;
    const detail = document.createElement("dd");
    detail.textContent = what;
    return [term, detail];
  }));
}

document.addEventListener("DOMContentLoaded", () => {
  applyLanguage();
  fillHelp();
  document.addEventListener("languagechange", fillHelp);
  onSessionEnd(() => endSession("signedOut"));
  $("lang").addEventListener("click", () => switchLanguage());
  for (const type of ["keydown", "pointerdown"]) { document.addEventListener(type, activity, true); }
  document.addEventListener("keydown", shortcuts);
  $("idle-stay").addEventListener("click", stayActive);
  $("help-open").addEventListener("click", () => $("help").showModal());
  $("sign-out").addEventListener("click", async () => { await signOut(); endSession(""); });
  $("nav-queue").addEventListener("click", () => show("work"));
  $("nav-supervisor").addEventListener("click", () => { show("supervisor"); supervisorView(); });
  $("nav-admin").addEventListener("click", () => { show("admin"); session.admin.load(); });
  $("nav-audit").addEventListener("click", () => { show("audit"); session.audit.load(false); });
  $("nav-trends").addEventListener("click", () => { show("trends"); $("trends-period").focus(); });
  $("back").addEventListener("click", backToQueue);
  $("to-enrol").addEventListener("click", () => { show("enrol"); $("en-name").focus(); });
  const leaveEnrolment = () => {
    // The authenticator key was shown once: it goes from the page.
    $("totp-secret").textContent = "";
    $("totp-uri").textContent = "";
    $("totp-qr").replaceChildren();
    $("enrol-done").hidden = true;
    $("enrol-form").hidden = false;
    show("sign-in");
    $("si-name").focus();
  };
  $("enrol-finish").addEventListener("click", leaveEnrolment);
  $("to-sign-in").addEventListener("click", leaveEnrolment);

  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("si-name").value.trim();
    const answer = await signIn(name, $("si-password").value, $("si-code").value.trim());
    $("si-password").value = "";
    $("si-code").value = "";
    if (!answer.ok) { $("sign-in-error").textContent = explain(answer); return; }
    $("sign-in-error").textContent = "";
    await startSession(name, answer.body);
  });

  $("enrol-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if ($("en-password").value !== $("en-password2").value) { $("enrol-error").textContent = t("passwordsDiffer"); return; }
    const answer = await api.post("/api/v1/enrolment", { name: $("en-name").value.trim(), secret: $("en-secret").value.trim(), password: $("en-password").value });
    $("en-password").value = "";
    $("en-password2").value = "";
    if (!answer.ok) { $("enrol-error").textContent = explain(answer); return; }
    $("enrol-error").textContent = "";
    $("en-secret").value = "";
    // Shown once, grouped by four for typing.
    $("totp-secret").textContent = answer.body.totp_secret.replace(/(.{4})/g, "$1 ").trim();
    $("totp-uri").textContent = answer.body.otpauth_uri;
    // Drawn here from the address (qr.js): the key never goes to anything outside the page.
    const code = qrSVG(answer.body.otpauth_uri, t("totpQR"));
    $("totp-qr").replaceChildren(...(code ? [code] : []));
    $("enrol-form").hidden = true;
    $("enrol-done").hidden = false;
    $("enrol-finish").focus();
  });
  show("sign-in");
  $("si-name").focus();
});
