// The admin's accounts screen and the audit log screen (compliance, admin): metadata only, never content.

import { api, explain } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

export class AdminScreen {
  constructor({ me, signal }) {
    this.me = me;
    $("account-form").addEventListener("submit", (event) => { event.preventDefault(); this.add(); }, { signal });
  }

  async load() {
    const answer = await api.get("/api/v1/accounts");
    if (!answer.ok) { $("admin-error").textContent = explain(answer); return; }
    $("admin-error").textContent = "";
    $("accounts").querySelector("tbody").replaceChildren(...answer.body.accounts.map((account) => {
      const row = document.createElement("tr");
      row.dataset.account = account.name;
      const actions = document.createElement("td");
      const choices = [];
      // Not on one's own account: it would end this session (and with it, the secret on screen).
      if (account.name !== this.me) {
        choices.push(account.state === "disabled" ? ["enable", "enable"] : ["disable", "disable"]);
        if (account.state === "locked") { choices.push(["unlock", "unlock"]); }
        choices.push(["reset", "reset"]);
      }
      for (const [action, label] of choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "small " + action;
        button.textContent = t(label);
        button.addEventListener("click", () => this.act(account.name, action));
        actions.append(button);
      }
      row.append(cell(account.name), cell(t("roles." + account.role)), cell(t("accountStates." + account.state)), actions);
      return row;
    }));
  }

  showSecret(name, secret) {
    $("account-secret-text").textContent = t("accountSecret", { name });
    $("account-secret-value").textContent = secret;
    $("account-secret").hidden = false;
  }

  async add() {
    const name = $("account-name").value.trim();
    const answer = await api.post("/api/v1/accounts", { name, role: $("account-role").value });
    if (!answer.ok) { $("admin-error").textContent = explain(answer); return; }
    $("account-name").value = "";
    this.showSecret(answer.body.name, answer.body.secret);
    await this.load();
  }

  async act(name, action) {
    if (action === "disable" && !confirm(t("confirmDisable", { name }))) { return; }
    if (action === "reset" && !confirm(t("confirmReset", { name }))) { return; }
    const answer = await api.post("/api/v1/accounts/" + encodeURIComponent(name) + "/" + action);
    if (!answer.ok) { $("admin-error").textContent = explain(answer); return; }
    if (action === "reset") { this.showSecret(answer.body.name, answer.body.secret); } else { $("account-secret").hidden = true; }
    await this.load();
  }

  clear() {
    $("accounts").querySelector("tbody").replaceChildren();
    $("account-secret").hidden = true;
    $("account-secret-value").textContent = "";
    $("account-secret-text").textContent = "";
    $("admin-error").textContent = "";
  }
}

export class AuditScreen {
  constructor({ signal }) {
    this.next = null;
    $("audit-form").addEventListener("submit", (event) => { event.preventDefault(); this.load(false); }, { signal });
    $("audit-more").addEventListener("click", () => this.load(true), { signal });
  }

  async load(more) {
    const query = new URLSearchParams({ limit: "100" });
    if ($("audit-actor").value.trim()) { query.set("actor", $("audit-actor").value.trim()); }
    if ($("audit-thread").value.trim()) { query.set("thread", $("audit-thread").value.trim()); }
    if (more && this.next) { query.set("after", this.next); }
    const answer = await api.get("/api/v1/audit?" + query.toString());
    if (!answer.ok) { $("audit-error").textContent = explain(answer); return; }
    $("audit-error").textContent = "";
    this.next = answer.body.next;
    $("audit-more").hidden = !this.next;
    const rows = answer.body.events.map((event) => {
      const row = document.createElement("tr");
      const details = Object.entries(event).filter(([key]) => key.startsWith("x_") || key === "purpose")
        .map(([key, value]) => key.replace(/^x_/, "") + ": " + value).join("; ");
      row.append(cell(new Date(event.at).toLocaleString()), cell(event.actor), cell(event.role), cell(event.action),
        cell(event.thread ? event.thread.slice(0, 8) + "…" : ""), cell(event.outcome), cell(details));
      return row;
    });
    const body = $("audit-events").querySelector("tbody");
    if (more) { body.append(...rows); } else { body.replaceChildren(...rows); }
  }

  clear() {
    $("audit-events").querySelector("tbody").replaceChildren();
    $("audit-more").hidden = true;
    this.next = null;
  }
}
