// The thread pane: the conversation with each reply's delivery state, earlier threads, the reply
// box (whether a reply can go out and why not), claim, transfer and close, and the case record.
// Survivor text is only ever set as text (textContent), never parsed as HTML.

import { api, explain } from "./api.js";
import { t, duration } from "./i18n.js";
import { ask } from "./dialogs.js";

const $ = (id) => document.getElementById(id);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

export class ThreadPane {
  /// `signal` ends the pane's listeners with the session that made it.
  constructor({ me, role, onChanged, settings, signal }) {
    this.me = me;
    this.role = role;
    this.onChanged = onChanged;
    this.settings = settings;
    this.view = null;
    this.id = null;
    this.purpose = null;
    this.loads = 0;          // the newest load; an older one's answer is dropped
    this.drafts = new Map(); // unsent replies by thread, kept while the advocate looks elsewhere
    this.shownCase = null;   // the case record as last drawn: a live reload redraws it only if it changed
    // The reply window's time left counts down on screen.
    const ticker = setInterval(() => { if (this.view) { this.renderReplyState(); } }, 15000);
    signal.addEventListener("abort", () => clearInterval(ticker));
    const on = (id, type, handler) => $(id).addEventListener(type, handler, { signal });
    on("claim", "click", () => this.claim());
    on("transfer", "click", () => this.transfer());
    on("close", "click", () => this.close());
    on("block", "click", () => this.block());
    on("unblock", "click", () => this.unblock());
    on("reply-form", "submit", (event) => { event.preventDefault(); this.reply(); });
    // Ctrl+Enter (or ⌘+Enter) in the reply box sends.
    on("reply-text", "keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); this.reply(); }
    });
    on("canned", "change", () => this.useCanned());
    on("note-form", "submit", (event) => { event.preventDefault(); this.addNote(); });
    on("referral-form", "submit", (event) => { event.preventDefault(); this.addReferral(); });
    on("safety-form", "submit", (event) => { event.preventDefault(); this.saveSafety(); });
    on("tags-form", "submit", (event) => { event.preventDefault(); this.saveTags(); });
    on("profile-form", "submit", (event) => { event.preventDefault(); this.saveProfile(); });
    document.addEventListener("languagechange", () => { this.fillChoices(); this.shownCase = null; if (this.view) { this.render(); } }, { signal });
    this.fillChoices();
  }

  /// The thread on screen, if it is the one every action would go to.
  shown() { return this.view && this.view.thread === this.id ? this.id : null; }

  /// The headers that carry the access purpose, for a thread that is not the advocate's own.
  headers() { return this.purpose ? { "X-Access-Purpose": this.purpose } : {}; }

  async open(item) {
    if (item.thread !== this.id) {
      // Whatever was on screen goes first: nothing can be sent to one thread while another shows.
      if (this.id) { this.drafts.set(this.id, $("reply-text").value); }
      this.clear();
      this.id = item.thread;
      this.unassigned = !item.assigned_to;
      $("reply-text").value = this.drafts.get(item.thread) || "";
    }
    return this.load();
  }

  async load() {
    const load = ++this.loads;
    const id = this.id;
    const fetchView = () => api.get("/api/v1/threads/" + encodeURIComponent(id), this.headers());
    let answer = await fetchView();
    if (load !== this.loads || id !== this.id) { return { ok: false, cancelled: true }; }
    if (!answer.ok && (answer.code === "purpose_required" || answer.code === "purpose_does_not_fit")) {
      // Taken by someone else since the queue showed it: no longer a first response, so ask why.
      if (answer.code === "purpose_does_not_fit") { this.unassigned = false; this.purpose = null; }
      const purpose = await this.askPurpose();
      if (load !== this.loads || id !== this.id) { return { ok: false, cancelled: true }; }
      if (!purpose) { return { ok: false, cancelled: true }; }
      this.purpose = purpose;
      answer = await fetchView();
      if (load !== this.loads || id !== this.id) { return { ok: false, cancelled: true }; }
    }
    if (!answer.ok) { return answer; }
    this.view = answer.body;
    this.render();
    return answer;
  }

  async askPurpose() {
    const purposes = await api.get("/api/v1/purposes");
    if (!purposes.ok) { return null; }
    // Opening a new contact that nobody has taken is a first response, when the hotline lists
    // that purpose: audited as such without a question. Anyone else's thread asks why.
    if (this.unassigned && purposes.body.purposes.some((p) => p.code === "first_response" && !p.needs_note)) {
      return "first_response";
    }
    const choice = await ask({
      title: t("purposeTitle"), text: t("purposeText"), label: t("purposeLabel"),
      options: purposes.body.purposes.map((p) => [p.code, p.label]), note: true,
    });
    if (!choice) { return null; }
    return choice.note ? choice.value + ": " + choice.note : choice.value;
  }

  render() {
    const view = this.view;
    $("thread-title").textContent = view.pseudonym;
    const meta = [t("channels." + view.channel), t("states." + view.state)];
    if (view.language) { meta.push(t("languages." + view.language)); }
    if (view.redirected) { meta.push(t("redirected")); }
    if (view.blocked_until) { meta.push(t("blockedUntil", { time: new Date(view.blocked_until).toLocaleString() })); }
    $("thread-meta").textContent = meta.join(" · ");
    // Only a supervisor blocks an abusive contact, or lifts a block.
    $("block").hidden = this.role !== "supervisor" || Boolean(view.blocked_until);
    $("unblock").hidden = this.role !== "supervisor" || !view.blocked_until;
    const messages = view.messages.map((message) => this.messageItem(message));
    $("messages").replaceChildren(...messages);
    const last = $("messages").lastElementChild;
    if (last) { last.scrollIntoView({ block: "nearest" }); }
    $("earlier").hidden = view.earlier.length === 0;
    $("earlier-list").replaceChildren(...view.earlier.map((earlier) => {
      const block = element("section", "earlier-thread");
      block.append(element("h4", "", new Date(earlier.opened_at).toLocaleString()));
      const list = element("ol", "messages");
      list.append(...earlier.messages.map((message) => this.messageItem(message)));
      block.append(list);
      return block;
    }));
    this.renderReplyState();
    this.renderCase();
  }

  messageItem(message) {
    const li = element("li", message.from === "survivor" ? "in" : "out");
    li.dataset.message = message.id;
    li.append(element("span", "from", t("from." + message.from)));
    li.append(element("span", "text", message.text));
    const meta = element("span", "meta", new Date(message.at).toLocaleTimeString());
    li.append(meta);
    if (message.delivery) {
      const state = element("span", "delivery " + message.delivery, t("delivery." + message.delivery));
      meta.append(" · ", state);
      if (message.delivery === "unknown") {
        li.classList.add("unknown");
        li.append(element("p", "explain", t("unknownExplained")));
      }
    }
    return li;
  }

  renderReplyState() {
    const view = this.view;
    const state = $("reply-state");
    let text;
    // The server says what sending would answer (the rule the outbox applies); only the SMS
    // window's countdown runs here, between loads.
    const refusal = view.reply_refusal;
    let canSend = view.state === "open" && !refusal;
    if (refusal) {
      text = t("replyRefusals." + (refusal === "window_closed" && view.channel === "webchat" ? "webchat_gone" : refusal));
    } else if (view.reply_window_closes_at) {
      const left = (Date.parse(view.reply_window_closes_at) - Date.now()) / 1000;
      if (left <= 0) { text = t("replyRefusals.window_closed"); canSend = false; } else { text = t("replyReadyUntil", { time: duration(left) }); }
    } else {
      text = t("replyReady");
    }
    if (canSend && view.text_needs_override) { text += " " + t("replyOverride"); }
    state.textContent = text;
    state.className = "reply-state " + (canSend ? "ok" : "blocked");
    $("override-box").hidden = !view.text_needs_override;
    $("reply-send").disabled = !canSend;
  }

  fillChoices() {
    const outcome = $("referral-outcome");
    const chosen = outcome.value || "unknown";
    outcome.replaceChildren(...["unknown", "worked", "did_not"].map((code) => {
      const option = element("option", "", t("outcomes." + code));
      option.value = code;
      return option;
    }));
    outcome.value = chosen;
    const canned = $("canned");
    const keep = canned.value;
    const first = element("option", "", t("cannedNone"));
    first.value = "";
    const responses = (this.settings.canned || []).map((response) => {
      const option = element("option", "", response.title[document.documentElement.lang] || response.title.en);
      option.value = response.id;
      return option;
    });
    canned.replaceChildren(first, ...responses);
    canned.value = keep;
  }

  /// Puts the `index`th canned response in the reply box (the shortcut keys 1 to 9).
  useCannedAt(index) {
    const chosen = (this.settings.canned || [])[index];
    if (!chosen) { return; }
    $("canned").value = chosen.id;
    this.useCanned();
  }

  useCanned() {
    const chosen = (this.settings.canned || []).find((response) => response.id === $("canned").value);
    if (!chosen) { return; }
    const language = this.view && this.view.language === "es" ? "es" : document.documentElement.lang;
    $("reply-text").value = chosen.text[language] || chosen.text.en;
    $("reply-text").focus();
  }

  renderCase() {
    const record = this.view.case_record;
    // Unchanged since last drawn (a live reload for a new message): leave the fields as the advocate
    // may be editing them.
    const drawn = JSON.stringify(record);
    if (drawn === this.shownCase) { return; }
    this.shownCase = drawn;
    $("notes").replaceChildren(...record.notes.map((note) => {
      const li = element("li", "", note.text);
      li.append(element("span", "meta", " — " + note.by + ", " + new Date(note.at).toLocaleString()));
      return li;
    }));
    $("referrals").replaceChildren(...record.referrals.map((referral) => {
      const li = element("li", "", referral.to + " — ");
      const select = element("select", "outcome");
      select.setAttribute("aria-label", t("outcome"));
      for (const code of ["unknown", "worked", "did_not"]) {
        const option = element("option", "", t("outcomes." + code));
        option.value = code;
        select.append(option);
      }
      select.value = referral.outcome;
      select.addEventListener("change", () => this.change("PUT", "case/referrals/" + encodeURIComponent(referral.id), { outcome: select.value }));
      li.append(select);
      return li;
    }));
    const safety = record.safety;
    $("dnc").checked = safety.do_not_contact;
    $("monitored").checked = safety.phone_may_be_monitored;
    $("safe-text").value = safety.safe_to_text === null || safety.safe_to_text === undefined ? "" : safety.safe_to_text ? "yes" : "no";
    $("safe-times").value = safety.safe_times || "";
    const choices = (select, codes, chosen, words) => {
      const first = select.options[0];
      // A value no longer offered (a region taken off the policy) stays shown, so saving keeps it.
      if (chosen && !codes.includes(chosen)) { codes = codes.concat([chosen]); }
      select.replaceChildren(first, ...codes.map((code) => {
        const option = document.createElement("option");
        option.value = code;
        option.textContent = words ? t(words + "." + code) : code;
        return option;
      }));
      select.value = chosen || "";
    };
    choices($("case-region"), this.settings.regions || [], record.region);
    choices($("case-who"), this.settings.reachedOutBy || [], record.reached_out_by, "reachers");
    const tags = new Set(record.tags);
    $("tags").replaceChildren(...(this.settings.typology || []).map((tag) => {
      const label = element("label", "tag");
      const box = element("input");
      box.type = "checkbox";
      box.value = tag;
      box.checked = tags.has(tag);
      label.append(box, " " + tag);
      return label;
    }));
  }

  async change(method, path, body) {
    const id = this.shown();
    if (!id) { return false; }
    const answer = method === "PUT"
      ? await api.put("/api/v1/threads/" + encodeURIComponent(id) + "/" + path, body, this.headers())
      : await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/" + path, body, this.headers());
    if (id !== this.shown()) { return false; }
    if (!answer.ok) {
      $("case-error").textContent = explain(answer);
      return false;
    }
    $("case-error").textContent = "";
    this.view.case_record = answer.body;
    this.renderCase();
    return true;
  }

  async addNote() {
    const text = $("note-text").value.trim();
    if (text && await this.change("POST", "case/notes", { text })) { $("note-text").value = ""; }
  }

  async addReferral() {
    const to = $("referral-to").value.trim();
    if (to && await this.change("POST", "case/referrals", { to, outcome: $("referral-outcome").value })) { $("referral-to").value = ""; }
  }

  async saveSafety() {
    const safe = $("safe-text").value;
    const ok = await this.change("PUT", "case/safety", {
      do_not_contact: $("dnc").checked, phone_may_be_monitored: $("monitored").checked,
      safe_to_text: safe === "" ? null : safe === "yes", safe_times: $("safe-times").value.trim() || null,
    });
    if (ok) { await this.load(); }
  }

  async saveProfile() {
    await this.change("PUT", "case/profile", { region: $("case-region").value || null, reached_out_by: $("case-who").value || null });
  }

  async saveTags() {
    const tags = Array.from($("tags").querySelectorAll("input:checked")).map((box) => box.value);
    await this.change("PUT", "case/tags", { tags });
  }

  async reply() {
    const text = $("reply-text").value.trim();
    const id = this.shown();
    if (!text || !id) { return; }
    const body = { text };
    const reason = $("override").value.trim();
    if (this.view.text_needs_override && reason) { body.override_reason = reason; }
    $("reply-send").disabled = true;
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/replies", body, this.headers());
    $("reply-send").disabled = false;
    if (id !== this.id) { return; }
    if (!answer.ok) {
      // What the advocate typed stays in the box; a refusal by the reply rules re-reads the
      // thread, so that the reply box says why from now on (the survivor may have left meanwhile).
      $("reply-error").textContent = explain(answer);
      if (["window_closed", "do_not_contact", "opted_out", "erase_requested"].includes(answer.code)) { await this.load(); }
      return;
    }
    $("reply-text").value = "";
    this.drafts.delete(id);
    $("canned").value = "";
    $("reply-error").textContent = "";
    await this.load();
    this.onChanged();
  }

  async claim() {
    const id = this.shown();
    if (!id) { return; }
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/claim", undefined, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return; }
    await this.load();
    this.onChanged();
  }

  async transfer() {
    const choice = await ask({ title: t("transferTitle"), text: t("transferText"), label: t("transferLabel"), free: true });
    if (!choice) { return; }
    const id = this.shown();
    if (!id) { return; }
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/transfer", { to: choice.value }, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return; }
    this.onChanged();
  }

  async close() {
    const codes = this.settings.dispositions || [];
    const choice = await ask({
      title: t("closeTitle"), text: t("closeText"), label: t("closeLabel"),
      options: codes.map((code) => [code.code, code.label[document.documentElement.lang] || code.label.en]),
    });
    if (!choice) { return false; }
    const id = this.shown();
    if (!id) { return false; }
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/close", { disposition: choice.value }, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return false; }
    this.onChanged("closed");
    return true;
  }

  async block() {
    const choice = await ask({
      title: t("blockTitle"), text: t("blockText"), label: t("blockLabel"), note: true,
      options: [["24", t("blockLengths.h24")], ["1", t("blockLengths.h1")], ["168", t("blockLengths.h168")], ["720", t("blockLengths.h720")]],
    });
    if (!choice) { return; }
    if (!choice.note) { $("reply-error").textContent = t("blockReason"); return; }
    const id = this.shown();
    if (!id) { return; }
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(id) + "/block", { hours: Number(choice.value), reason: choice.note }, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return; }
    await this.load();
  }

  async unblock() {
    const id = this.shown();
    if (!id) { return; }
    const answer = await api.delete("/api/v1/threads/" + encodeURIComponent(id) + "/block");
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return; }
    await this.load();
  }

  /// Empties the pane (another thread, back to the queue, the session's end).
  clear() {
    this.view = null;
    this.shownCase = null;
    this.id = null;
    this.purpose = null;
    this.loads += 1;
    for (const id of ["messages", "earlier-list", "notes", "referrals", "tags"]) { $(id).replaceChildren(); }
    for (const id of ["thread-title", "thread-meta", "reply-state", "reply-error", "case-error"]) { $(id).textContent = ""; }
    for (const id of ["reply-text", "override", "safe-times", "note-text", "referral-to"]) { $(id).value = ""; }
    $("dnc").checked = false;
    $("monitored").checked = false;
    $("safe-text").value = "";
    $("canned").value = "";
  }

  /// Keeps the unsent reply for when the thread is opened again, then empties the pane.
  leave() {
    if (this.id) { this.drafts.set(this.id, $("reply-text").value); }
    this.clear();
  }

  /// Forgets the drafts too (the session's end).
  forget() {
    this.clear();
    this.drafts.clear();
  }
}
