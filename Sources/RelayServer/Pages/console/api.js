// The advocates' API from the console. The session token lives only in this module's memory: never
// in a cookie, web storage or a URL, so closing or reloading the tab ends it.

import { t } from "./i18n.js";

let token = null;
let endHandler = () => {};

/// Called once when the server says the session is over (401), so the console can return to sign-in.
export function onSessionEnd(handler) { endHandler = handler; }

export function signedIn() { return token !== null; }

export function forget() { token = null; }

/// An API answer: `ok`, `status`, the parsed body (or null) and, when refused, the stable error code.
async function call(method, path, body, headers) {
  const init = { method, headers: Object.assign({}, headers || {}), cache: "no-store", credentials: "omit" };
  const sent = token;
  if (sent) { init.headers.Authorization = "Bearer " + sent; }
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (_) {
    return { ok: false, status: 0, body: null, code: "network" };
  }
  let parsed = null;
  if (response.status !== 204) {
    try { parsed = await response.json(); } catch (_) { parsed = null; }
  }
  const code = response.ok ? null : (parsed && parsed.error) || "http_" + response.status;
  if (response.status === 401 && sent && sent === token && !path.endsWith("/sessions")) {
    token = null;
    endHandler("unauthorized");
  }
  const message = !response.ok && parsed && typeof parsed.message === "string" ? parsed.message : null;
  return { ok: response.ok, status: response.status, body: parsed, code, message };
}

export const api = {
  get: (path, headers) => call("GET", path, undefined, headers),
  post: (path, body, headers) => call("POST", path, body, headers),
  put: (path, body, headers) => call("PUT", path, body, headers),
  delete: (path) => call("DELETE", path),
};

/// Signs in; on success keeps the token in memory and returns the answer (role, expires_at).
export async function signIn(name, password, code) {
  const answer = await call("POST", "/api/v1/sessions", { name, password, code });
  if (answer.ok) { token = answer.body.token; }
  return answer;
}

export async function signOut() {
  if (token) { await call("DELETE", "/api/v1/sessions/current"); }
  token = null;
}

/// The stream of live events (server-sent events over fetch, so the token goes in a header).
export function openEvents(signal) {
  return fetch("/api/v1/events", { headers: { Authorization: "Bearer " + token }, signal, cache: "no-store", credentials: "omit" });
}

/// A refusal in plain words, in the current language.
export function explain(answer) {
  const known = t("errors." + answer.code);
  if (typeof known === "string" && known !== "errors." + answer.code) { return known; }
  // A refusal without words of its own here (an invalid input): the server's sentence, which
  // names the field and never personal data.
  if (answer.message) { return answer.message.charAt(0).toUpperCase() + answer.message.slice(1) + "."; }
  return t("errors.other", { code: answer.code || answer.status });
}
