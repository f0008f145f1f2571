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
  constructor({ me, role, onChanged, settings }) {
    this.me = me;
    this.role = role;
    this.onChanged = onChanged;
    this.settings = settings;
    this.view = null;
    this.id = null;
    this.purpose = null;
    $("claim").addEventListener("click", () => this.claim());
    $("transfer").addEventListener("click", () => this.transfer());
    $("close").addEventListener("click", () => this.close());
    $("reply-form").addEventListener("submit", (event) => { event.preventDefault(); this.reply(); });
    $("canned").addEventListener("change", () => this.useCanned());
    $("note-form").addEventListener("submit", (event) => { event.preventDefault(); this.addNote(); });
    $("referral-form").addEventListener("submit", (event) => { event.preventDefault(); this.addReferral(); });
    $("safety-form").addEventListener("submit", (event) => { event.preventDefault(); this.saveSafety(); });
    $("tags-form").addEventListener("submit", (event) => { event.preventDefault(); this.saveTags(); });
    document.addEventListener("languagechange", () => { this.fillChoices(); if (this.view) { this.render(); } });
    this.fillChoices();
  }

  /// The headers that carry the access purpose, for a thread that is not the advocate's own.
  headers() { return this.purpose ? { "X-Access-Purpose": this.purpose } : {}; }

  async open(item) {
    const changed = item.thread !== this.id;
    this.id = item.thread;
    this.unassigned = !item.assigned_to;
    if (changed) {
      this.purpose = null;
      $("reply-text").value = "";
      $("override").value = "";
      $("reply-error").textContent = "";
      $("case-error").textContent = "";
    }
    return this.load();
  }

  async load() {
    let answer = await api.get("/api/v1/threads/" + encodeURIComponent(this.id), this.headers());
    if (!answer.ok && answer.code === "purpose_required") {
      const purpose = await this.askPurpose();
      if (!purpose) { return { ok: false, cancelled: true }; }
      this.purpose = purpose;
      answer = await api.get("/api/v1/threads/" + encodeURIComponent(this.id), this.headers());
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
    $("thread-meta").textContent = t("channels." + view.channel) + " · " + t("states." + view.state);
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
    let canSend = view.state === "open";
    if (view.do_not_contact) { text = t("replyDNC"); canSend = false; }
    else if (view.reply_window_closes_at === null || view.reply_window_closes_at === undefined) {
      text = view.channel === "sms" ? t("replyClosed") : t("replyReady");
      canSend = canSend && view.channel !== "sms";
    } else {
      const left = (Date.parse(view.reply_window_closes_at) - Date.now()) / 1000;
      if (left <= 0) { text = t("replyClosed"); canSend = false; } else { text = t("replyReadyUntil", { time: duration(left) }); }
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

  useCanned() {
    const chosen = (this.settings.canned || []).find((response) => response.id === $("canned").value);
    if (!chosen) { return; }
    const language = this.view && this.view.language === "es" ? "es" : document.documentElement.lang;
    $("reply-text").value = chosen.text[language] || chosen.text.en;
    $("reply-text").focus();
  }

  renderCase() {
    const record = this.view.case_record;
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
    const answer = method === "PUT"
      ? await api.put("/api/v1/threads/" + encodeURIComponent(this.id) + "/" + path, body, this.headers())
      : await api.post("/api/v1/threads/" + encodeURIComponent(this.id) + "/" + path, body, this.headers());
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

  async saveTags() {
    const tags = Array.from($("tags").querySelectorAll("input:checked")).map((box) => box.value);
    await this.change("PUT", "case/tags", { tags });
  }

  async reply() {
    const text = $("reply-text").value.trim();
    if (!text || !this.view) { return; }
    const body = { text };
    const reason = $("override").value.trim();
    if (this.view.text_needs_override && reason) { body.override_reason = reason; }
    $("reply-send").disabled = true;
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(this.id) + "/replies", body, this.headers());
    $("reply-send").disabled = false;
    if (!answer.ok) {
      // What the advocate typed stays in the box.
      $("reply-error").textContent = explain(answer);
      return;
    }
    $("reply-text").value = "";
    $("canned").value = "";
    $("reply-error").textContent = "";
    await this.load();
    this.onChanged();
  }

  async claim() {
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(this.id) + "/claim", undefined, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return; }
    await this.load();
    this.onChanged();
  }

  async transfer() {
    const choice = await ask({ title: t("transferTitle"), text: t("transferText"), label: t("transferLabel"), free: true });
    if (!choice) { return; }
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(this.id) + "/transfer", { to: choice.value }, this.headers());
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
    const answer = await api.post("/api/v1/threads/" + encodeURIComponent(this.id) + "/close", { disposition: choice.value }, this.headers());
    if (!answer.ok) { $("reply-error").textContent = explain(answer); return false; }
    this.onChanged("closed");
    return true;
  }

  clear() {
    this.view = null;
    this.id = null;
    this.purpose = null;
    $("messages").replaceChildren();
    $("earlier-list").replaceChildren();
    $("notes").replaceChildren();
    $("referrals").replaceChildren();
    $("thread-title").textContent = "";
    $("reply-text").value = "";
  }
}
