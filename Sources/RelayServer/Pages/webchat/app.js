"use strict";
(() => {
  const texts = {
    en: { exit: "Quick exit", title: "Talk with someone", intro: "This chat is private. You do not need to give your name. Press Esc or “Quick exit” at any time to leave at once.",
          begin: "Start a conversation", resumeLabel: "Coming back? Type your phrase:", resume: "Continue", messageLabel: "Message",
          send: "Send", getPhrase: "Get a phrase to come back later", erase: "Delete this conversation", remove: "Delete",
          confirmErase: "Delete this whole conversation? This cannot be undone.", erased: "The conversation was deleted.",
          erasing: "Deleting…", eraseKept: "Your request was received. Part of this conversation must be kept for now; it will be deleted as soon as that ends.",
          eraseFailed: "The conversation could not be deleted yet. Check your connection and press “Delete this conversation” again.",
          eraseUnknown: "This conversation had already ended, so we cannot confirm it was deleted. Come back with your phrase to delete it.",
          removeFailed: "That message could not be deleted. Try again.",
          busy: "It is very busy right now. Please wait a minute and try again.",
          badPhrase: "That phrase did not work.", phraseUsed: "Welcome back. That phrase works only once: here is a new one for next time.", phrase: "Write this down somewhere safe, or remember it. It is the only way back to this conversation:",
          failed: "Could not send. Check your connection and try again.", ended: "This conversation has ended.", other: "Español", otherLang: "es" },
    es: { exit: "Salida rápida", title: "Habla con alguien", intro: "Este chat es privado. No necesitas dar tu nombre. Pulsa Esc o “Salida rápida” en cualquier momento para salir al instante.",
          begin: "Empezar una conversación", resumeLabel: "¿Vuelves? Escribe tu frase:", resume: "Continuar", messageLabel: "Mensaje",
          send: "Enviar", getPhrase: "Obtener una frase para volver más tarde", erase: "Borrar esta conversación", remove: "Borrar",
          confirmErase: "¿Borrar toda la conversación? No se puede deshacer.", erased: "La conversación fue borrada.",
          erasing: "Borrando…", eraseKept: "Recibimos tu solicitud. Una parte de esta conversación debe conservarse por ahora; se borrará en cuanto eso termine.",
          eraseFailed: "Todavía no se pudo borrar la conversación. Revisa tu conexión y pulsa “Borrar esta conversación” otra vez.",
          eraseUnknown: "Esta conversación ya había terminado, así que no podemos confirmar que se borró. Vuelve con tu frase para borrarla.",
          removeFailed: "No se pudo borrar ese mensaje. Inténtalo de nuevo.",
          busy: "Hay mucha gente en este momento. Espera un minuto e inténtalo de nuevo.",
          badPhrase: "Esa frase no funcionó.", phraseUsed: "Hola de nuevo. Esa frase sirve una sola vez: aquí tienes una nueva para la próxima.", phrase: "Anótala en un lugar seguro o recuérdala. Es la única forma de volver a esta conversación:",
          failed: "No se pudo enviar. Revisa tu conexión e inténtalo de nuevo.", ended: "Esta conversación ha terminado.", other: "English", otherLang: "en" }
  };
  let lang = (navigator.language || "en").toLowerCase().startsWith("es") ? "es" : "en";
  let token = null;          // in memory only: never stored, never in a URL
  let stream = null;
  let streamFailures = 0;    // consecutive refused or broken streams: the retry waits longer each time
  let streamedBefore = false; // a stream was open before: a new one first catches up on the history
  let retryTimer = null;      // the pending retry of a refused or dropped stream
  const shown = new Set();
  const $ = (id) => document.getElementById(id);
  const t = (key) => texts[lang][key];

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("lang").textContent = t("other");
    $("lang").lang = t("otherLang");
    document.querySelectorAll("#messages li button").forEach((b) => { b.textContent = t("remove"); });
  }

  function quickExit() {
    const destination = document.body.dataset.exitUrl || "about:blank";
    if (token) {
      fetch("/chat/exit", { method: "POST", keepalive: true, headers: { Authorization: "Bearer " + token } }).catch(() => {});
    }
    token = null;
    if (stream) { stream.abort(); }
    document.body.innerHTML = "";
    location.replace(destination);
  }

  async function api(method, path, body, extraHeaders) {
    const headers = Object.assign({ Authorization: "Bearer " + token }, extraHeaders || {});
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    if (response.status === 401) { ended(); throw new Error("ended"); }
    return response;
  }

  function ended() {
    token = null;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    if (stream) { stream.abort(); }
    $("chat").hidden = true;
    $("start").hidden = false;
    $("messages").textContent = "";
    shown.clear();
    $("status").textContent = t("ended");
  }

  function addMessage(m) {
    if (shown.has(m.id)) { return; }
    shown.add(m.id);
    const li = document.createElement("li");
    li.id = "m-" + m.id;
    li.className = m.from === "me" ? "me" : "advocate";
    const text = document.createElement("span");
    text.textContent = m.text;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = t("remove");
    remove.addEventListener("click", async () => {
      try {
        const r = await api("DELETE", "/chat/messages/" + encodeURIComponent(m.id));
        if (r.ok || r.status === 404) { li.remove(); return; }
      } catch (e) { if (e.message === "ended") { return; } }
      $("status").textContent = t("removeFailed");
    });
    li.append(text, remove);
    $("messages").append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  async function listen() {
    // A retry that fires after the conversation ended (erased, exited) does nothing, and one
    // for an earlier session never speaks for the current one.
    const mine = token;
    retryTimer = null;
    if (!mine) { return; }
    stream = new AbortController();
    try {
      const response = await fetch("/chat/events", { headers: { Authorization: "Bearer " + mine }, signal: stream.signal, cache: "no-store" });
      if (!response.ok || !response.body) {
        // The session ended while the stream was away (expiry, a restart): say so, show nothing more.
        if (response.status === 401) { if (token === mine) { ended(); } return; }
        throw new Error("stream refused");
      }
      // Back after a gap (refused, dropped): what was written meanwhile comes from the history.
      if (streamFailures > 0 || streamedBefore) {
        const missed = await api("GET", "/chat/messages");
        if (missed.ok) {
          // The history is the truth: what was deleted meanwhile goes from the screen too.
          const history = (await missed.json()).messages;
          const kept = new Set(history.map((m) => m.id));
          Array.from(shown).filter((id) => !kept.has(id)).forEach((id) => {
            shown.delete(id);
            const el = $("m-" + id);
            if (el) { el.remove(); }
          });
          history.forEach(addMessage);
        }
      }
      streamedBefore = true;
      streamFailures = 0;
      // Loaded only here, so that nothing (quick exit above all) waits for it.
      const { eventFrames } = await import("/chat/event-frames.js");
      for await (const { name, data } of eventFrames(response.body)) {
        if (name === "message" && data.id) { addMessage(data); }
        if (name === "deleted") { const el = $("m-" + data.id); if (el) { el.remove(); } }
        if (name === "erased" || name === "ended") { ended(); return; }
      }
    } catch (_) { streamFailures += 1; /* refused, aborted or offline */ }
    if (token && token === mine) { retryTimer = setTimeout(listen, Math.min(60000, 3000 * 2 ** Math.min(streamFailures, 5))); }
  }

  async function open(newToken) {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    token = newToken;
    streamedBefore = false;
    streamFailures = 0;
    $("start").hidden = true;
    $("chat").hidden = false;
    $("status").textContent = "";
    const r = await api("GET", "/chat/messages");
    if (r.ok) { (await r.json()).messages.forEach(addMessage); }
    listen();
    $("text").focus();
  }

  async function start() {
    const r = await fetch("/chat/sessions", { method: "POST", cache: "no-store" });
    if (r.ok) { await open((await r.json()).token); } else { $("status").textContent = t(r.status === 429 ? "busy" : "failed"); }
  }

  async function resume(event) {
    event.preventDefault();
    const phrase = $("phrase").value;
    $("phrase").value = "";
    const r = await fetch("/chat/resume", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ phrase }), cache: "no-store" });
    if (r.ok) {
      const answer = await r.json();
      await open(answer.token);
      // The phrase just used works no more: show the one that replaces it.
      $("status").textContent = t("phraseUsed");
      $("phrase-value").textContent = answer.phrase;
      $("phrase-box").hidden = false;
    } else { $("status").textContent = t(r.status === 429 ? "busy" : "badPhrase"); }
  }

  async function send(event) {
    event.preventDefault();
    const text = $("text").value.trim();
    if (!text) { return; }
    const key = crypto.randomUUID();
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const r = await api("POST", "/chat/messages", { text }, { "Idempotency-Key": key });
        if (r.ok) {
          $("text").value = "";
          addMessage({ id: (await r.json()).id, text, from: "me" });
          $("status").textContent = "";
          return;
        }
        break;
      } catch (e) { if (e.message === "ended") { return; } }
    }
    $("status").textContent = t("failed");
  }

  // Says only what the server confirmed: retries on errors and lost answers, then says plainly
  // if it could not finish (the token is kept, so pressing the button again retries).
  async function eraseAll() {
    if (!token || !confirm(t("confirmErase"))) { return; }
    const used = token;
    $("status").textContent = t("erasing");
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const r = await fetch("/chat/session", { method: "DELETE", headers: { Authorization: "Bearer " + used }, cache: "no-store" });
        if (r.status === 204 || r.status === 202 || r.status === 401) {
          ended();
          $("status").textContent = t(r.status === 204 ? "erased" : r.status === 202 ? "eraseKept" : "eraseUnknown");
          return;
        }
      } catch (_) { /* offline or the answer was lost: try again */ }
      await new Promise((resolve) => setTimeout(resolve, 400 * 2 ** attempt));
    }
    $("status").textContent = t("eraseFailed");
  }

  async function getPhrase() {
    const r = await api("POST", "/chat/resume-phrase");
    if (r.ok) {
      $("phrase-value").textContent = (await r.json()).phrase;
      $("phrase-box").hidden = false;
    }
  }

  document.addEventListener("keydown", (e) => { if (e.key === "Escape") { quickExit(); } });
  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();
    $("exit").addEventListener("click", quickExit);
    $("lang").addEventListener("click", () => { lang = t("otherLang"); applyLanguage(); });
    $("begin").addEventListener("click", start);
    $("resume-form").addEventListener("submit", resume);
    $("send-form").addEventListener("submit", send);
    $("erase").addEventListener("click", eraseAll);
    $("get-phrase").addEventListener("click", getPhrase);
  });
})();
