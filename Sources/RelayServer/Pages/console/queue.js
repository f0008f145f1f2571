// The queue pane: who is waiting, live, with waiting times that tick, a filter and a cue.

import { api } from "./api.js";
import { t, duration } from "./i18n.js";

export class QueuePane {
  constructor({ onOpen, me, signal }) {
    this.onOpen = onOpen;
    this.me = me;
    this.items = [];
    this.waiting = {};
    this.selected = 0;
    this.filter = "all";
    this.known = null; // thread ids seen waiting, to tell a newcomer
    this.list = document.getElementById("queue");
    this.ticker = setInterval(() => this.tick(), 1000);
    document.querySelectorAll("input[name=filter]").forEach((radio) => {
      radio.addEventListener("change", () => { this.filter = radio.value; this.selected = 0; this.render(); }, { signal });
    });
  }

  /// Stops the clock and forgets who was waiting.
  stop() {
    // A refresh still waiting for its answer must not draw the queue back after a sign-out.
    this.stopped = true;
    clearInterval(this.ticker);
    this.items = [];
    this.waiting = {};
    this.known = null;
  }

  async refresh() {
    const items = [];
    let after = null;
    let waiting = {};
    for (let page = 0; page < 10; page++) {
      const answer = await api.get("/api/v1/queue?limit=200" + (after ? "&after=" + encodeURIComponent(after) : ""));
      if (this.stopped) { return { ok: false, status: 0, body: null, code: "signed_out" }; }
      if (!answer.ok) { return answer; }
      items.push(...answer.body.threads);
      waiting = answer.body.waiting;
      after = answer.body.next;
      if (!after) { break; }
    }
    const arrived = this.known !== null && items.some((item) => !this.known.has(item.thread) && !item.assigned_to);
    this.known = new Set(items.map((item) => item.thread));
    this.items = items;
    this.waiting = waiting;
    this.render();
    if (arrived) { this.cue(); }
    return { ok: true };
  }

  visible() {
    return this.items.filter((item) =>
      this.filter === "all" || (this.filter === "mine" ? item.assigned_to === this.me : !item.assigned_to));
  }

  total() { return Object.values(this.waiting).reduce((sum, n) => sum + n, 0); }

  render() {
    const shown = this.visible();
    this.selected = Math.min(this.selected, Math.max(0, shown.length - 1));
    const rows = shown.map((item, index) => {
      const li = document.createElement("li");
      li.dataset.thread = item.thread;
      li.dataset.channel = item.channel;
      li.className = "item" + (index === this.selected ? " selected" : "") + (item.pinned ? " pinned" : "");
      const open = document.createElement("button");
      open.type = "button";
      open.className = "open";
      const name = document.createElement("span");
      name.className = "pseudonym";
      name.textContent = item.pseudonym;
      const channel = document.createElement("span");
      channel.className = "channel";
      channel.textContent = t("channels." + item.channel);
      const wait = document.createElement("span");
      wait.className = "wait";
      wait.dataset.since = item.waiting_since;
      const who = document.createElement("span");
      who.className = "assigned";
      who.textContent = item.assigned_to ? (item.assigned_to === this.me ? t("you") : item.assigned_to) : t("unassigned");
      open.append(name, channel, wait, who);
      if (item.priority > 0) {
        const priority = document.createElement("span");
        priority.className = "priority";
        priority.textContent = "!".repeat(Math.min(3, item.priority));
        open.append(priority);
      }
      open.addEventListener("click", () => { this.selected = index; this.onOpen(item); });
      li.append(open);
      return li;
    });
    this.list.replaceChildren(...rows);
    document.getElementById("queue-empty").hidden = shown.length > 0;
    const total = this.total();
    document.getElementById("waiting-count").textContent = total > 0 ? "(" + total + ")" : "";
    // The tab's title never names anyone: a count only.
    document.title = total > 0 ? t("waitingTitle", { n: total }) + " — SafeRelay" : "SafeRelay";
    this.tick();
  }

  tick() {
    const now = Date.now();
    this.list.querySelectorAll(".wait").forEach((element) => {
      element.textContent = duration((now - Date.parse(element.dataset.since)) / 1000);
    });
  }

  move(step) {
    const shown = this.visible();
    if (shown.length === 0) { return; }
    this.selected = Math.max(0, Math.min(shown.length - 1, this.selected + step));
    this.render();
    const row = this.list.children[this.selected];
    if (row) { row.querySelector("button").focus(); }
  }

  current() { return this.visible()[this.selected] || null; }

  /// A short tone (unless muted) and a flash of the queue's heading.
  cue() {
    const heading = document.getElementById("queue-title");
    heading.classList.remove("flash");
    void heading.offsetWidth;
    heading.classList.add("flash");
    if (document.getElementById("mute").checked) { return; }
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = 660;
      gain.gain.value = 0.08;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.25);
      tone.onended = () => audio.close();
    } catch (_) { /* no audio on this machine */ }
  }
}
