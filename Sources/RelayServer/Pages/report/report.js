"use strict";
// The tip form: no cookies, no storage, nothing kept in the page after it is sent; a quick exit.
(() => {
  const texts = {
    en: { exit: "Quick exit", title: "Report what you saw", other: "Español", otherLang: "es",
          intro: "You do not need to give your name. Nothing you type is kept on this device. Press Esc or “Quick exit” at any time to leave at once.",
          danger: "If someone is in danger right now, call 911.",
          whatLabel: "What did you see or hear?", whereLegend: "Where? (as much as you are comfortable giving)", cityLabel: "City or town",
          regionLabel: "State or region", whenLabel: "When? (for example “last night” or a date)", situationLegend: "Which is closest to what you saw?",
          forced_work: "Someone made to work (farm, factory, building site, restaurant, cleaning, selling door to door)",
          domestic_work: "Someone made to work in a home (cleaning, cooking, childcare)", commercial_sex: "Someone made to sell sex",
          online: "Someone made to appear in pictures, videos or on a webcam", begging_or_crime: "Someone made to beg, sell on the street or commit crimes",
          unsure: "I am not sure", wayBackLegend: "May we answer you? (only if you want)", wayNone: "No, I do not need an answer",
          wayPhrase: "Yes, give me a phrase to continue in the chat", wayText: "Yes, text me at this number",
          phoneLabel: "Phone number (kept encrypted, only to text you back)", submit: "Send report", sending: "Sending…",
          thanks: "Thank you. Your report was received.",
          phrase: "To continue in the chat, go to this site's chat page and type this phrase. Write it down somewhere safe or remember it; it is the only way back:",
          textNote: "If we text you, it will be a short, neutral message. Text STOP to stop, or ERASE to delete it.",
          needWhat: "Please say what you saw.", needPhone: "Please give a number to text, or choose another answer.",
          badPhone: "That does not look like a phone number.", busy: "It is very busy right now. Please wait a minute and try again.",
          failed: "The report could not be sent. Check your connection and try again.", tooLong: "Some of what you typed is too long. Please shorten it." },
    es: { exit: "Salida rápida", title: "Reporta lo que viste", other: "English", otherLang: "en",
          intro: "No necesitas dar tu nombre. Nada de lo que escribas se guarda en este dispositivo. Pulsa Esc o “Salida rápida” en cualquier momento para salir al instante.",
          danger: "Si alguien está en peligro ahora mismo, llama al 911.",
          whatLabel: "¿Qué viste o escuchaste?", whereLegend: "¿Dónde? (lo que te sientas cómodo/a compartiendo)", cityLabel: "Ciudad o pueblo",
          regionLabel: "Estado o región", whenLabel: "¿Cuándo? (por ejemplo “anoche” o una fecha)", situationLegend: "¿Qué se parece más a lo que viste?",
          forced_work: "Alguien obligado a trabajar (campo, fábrica, obra, restaurante, limpieza, venta de puerta en puerta)",
          domestic_work: "Alguien obligado a trabajar en una casa (limpieza, cocina, cuidado de niños)", commercial_sex: "Alguien obligado a vender sexo",
          online: "Alguien obligado a aparecer en fotos, videos o en una cámara web", begging_or_crime: "Alguien obligado a pedir dinero, vender en la calle o cometer delitos",
          unsure: "No estoy seguro/a", wayBackLegend: "¿Podemos responderte? (solo si quieres)", wayNone: "No, no necesito respuesta",
          wayPhrase: "Sí, dame una frase para seguir en el chat", wayText: "Sí, envíame un mensaje de texto a este número",
          phoneLabel: "Número de teléfono (se guarda cifrado, solo para responderte)", submit: "Enviar reporte", sending: "Enviando…",
          thanks: "Gracias. Recibimos tu reporte.",
          phrase: "Para seguir en el chat, ve a la página de chat de este sitio y escribe esta frase. Anótala en un lugar seguro o recuérdala; es la única forma de volver:",
          textNote: "Si te escribimos, será un mensaje corto y neutral. Envía STOP para dejar de recibirlos o BORRAR para borrarlo.",
          needWhat: "Por favor, di lo que viste.", needPhone: "Por favor, da un número para escribirte o elige otra respuesta.",
          badPhone: "Eso no parece un número de teléfono.", busy: "Hay mucha gente en este momento. Espera un minuto e inténtalo de nuevo.",
          failed: "No se pudo enviar el reporte. Revisa tu conexión e inténtalo de nuevo.", tooLong: "Algo de lo que escribiste es demasiado largo. Por favor, acórtalo." }
  };
  let lang = (navigator.language || "en").toLowerCase().startsWith("es") ? "es" : "en";
  let key = null;  // one idempotency key per report, so a retry is filed once; in memory only
  const $ = (id) => document.getElementById(id);
  const t = (k) => texts[lang][k];

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("lang").textContent = t("other");
    $("lang").lang = t("otherLang");
  }

  function quickExit() {
    const destination = document.body.dataset.exitUrl || "about:blank";
    key = null;
    document.body.innerHTML = "";
    location.replace(destination);
  }

  function choice(name) {
    const checked = document.querySelector(`input[name="${name}"]:checked`);
    return checked ? checked.value : null;
  }

  function clearForm() {
    document.querySelectorAll("#report-form textarea, #report-form input:not([type=radio])").forEach((el) => { el.value = ""; });
  }

  async function send(event) {
    event.preventDefault();
    const what = $("what").value.trim();
    const wayBack = choice("way_back");
    const phone = $("phone").value.trim();
    if (!what) { $("status").textContent = t("needWhat"); $("what").focus(); return; }
    if (wayBack === "text" && !phone) { $("status").textContent = t("needPhone"); $("phone").focus(); return; }
    const body = {
      what, city: $("city").value.trim() || null, region: $("region").value.trim() || null, when: $("when").value.trim() || null,
      situation: choice("situation") || "unsure", way_back: wayBack, phone: wayBack === "text" ? phone : null, language: lang
    };
    if (!key) {
      // 128 random bits: the key also lets a lost answer's phrase be asked for again, briefly.
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    $("submit").disabled = true;
    $("status").textContent = t("sending");
    try {
      const r = await fetch("/report", {
        method: "POST", cache: "no-store", credentials: "omit",
        headers: { "Content-Type": "application/json", "Idempotency-Key": key }, body: JSON.stringify(body)
      });
      if (r.status === 201 || r.status === 200) {
        const answer = await r.json();
        clearForm();
        key = null;
        $("report-form").hidden = true;
        $("done").hidden = false;
        $("status").textContent = "";
        if (answer.resume_phrase) { $("phrase-value").textContent = answer.resume_phrase; $("phrase-box").hidden = false; }
        $("text-note").hidden = wayBack !== "text";
        return;
      }
      const error = await r.json().catch(() => ({}));
      $("status").textContent = r.status === 429 || r.status === 503 ? t("busy")
        : r.status === 413 ? t("tooLong")
        : error.error === "invalid_phone" ? t("badPhone")
        : error.error === "invalid_what" ? t("needWhat")
        : t("failed");
    } catch (_) {
      $("status").textContent = t("failed");
    } finally {
      $("submit").disabled = false;
    }
  }

  document.addEventListener("keydown", (e) => { if (e.key === "Escape") { quickExit(); } });
  document.addEventListener("DOMContentLoaded", () => {
    applyLanguage();
    $("exit").addEventListener("click", quickExit);
    $("lang").addEventListener("click", () => { lang = t("otherLang"); applyLanguage(); });
    $("report-form").addEventListener("submit", send);
    document.querySelectorAll('input[name="way_back"]').forEach((el) => el.addEventListener("change", () => {
      $("phone-box").hidden = choice("way_back") !== "text";
    }));
  });
})();
