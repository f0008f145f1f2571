// Live events for the console: one stream, reopened by itself after a drop (waiting longer after
// each failure), with a catch-up callback after every reconnect (events are not replayed).

import { openEvents, signedIn } from "./api.js";
import { eventFrames } from "/chat/event-frames.js";

export class LiveStream {
  /// `onEvent(name, data)` for each event; `onState(live)` when the stream comes up or goes down;
  /// `onCatchUp()` after a reconnect, to re-read what may have been missed.
  constructor({ onEvent, onState, onCatchUp, onEnded }) {
    this.onEvent = onEvent;
    this.onEnded = onEnded || (() => {});
    this.onState = onState;
    this.onCatchUp = onCatchUp;
    this.controller = null;
    this.failures = 0;
    this.timer = null;
    this.stopped = true;
    this.wasUp = false;
  }

  start() {
    this.stopped = false;
    this.failures = 0;
    this.wasUp = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.controller) { this.controller.abort(); this.controller = null; }
  }

  async connect() {
    this.timer = null;
    if (this.stopped || !signedIn()) { return; }
    this.controller = new AbortController();
    try {
      const response = await openEvents(this.controller.signal);
      if (response.status === 401) { this.stop(); this.onEnded(); return; }
      if (!response.ok || !response.body) { throw new Error("refused"); }
      if (this.wasUp || this.failures > 0) { this.onCatchUp(); }
      this.wasUp = true;
      this.failures = 0;
      this.onState(true);
      for await (const { name, data } of eventFrames(response.body)) {
        if (name === "ended") { this.stop(); this.onEnded(); return; }
        this.onEvent(name, data);
      }
    } catch (_) {
      // refused, dropped or aborted
    }
    if (this.stopped) { return; }
    this.failures += 1;
    this.onState(false);
    this.timer = setTimeout(() => this.connect(), Math.min(30000, 1000 * 2 ** Math.min(this.failures - 1, 5)));
  }
}
