// The console's words in English and Spanish. Elements carry data-i18n="key"; code calls t(key).

const texts = {
  en: {
    other: "Español", otherLang: "es",
    navQueue: "Queue", navSupervisor: "Supervisor", navAdmin: "Accounts", navAudit: "Audit log",
    adminTitle: "Accounts", role: "Role", state: "State", actions: "Actions", addAccount: "Add an account", add: "Add",
    disable: "Disable", enable: "Enable", reset: "Reset", unlock: "Unlock",
    accountSecret: "One-time secret for {name}. It is shown only once: give it to them by a separate, safe way. They use it at “First time here?”.",
    confirmDisable: "Disable {name}? Their sessions end at once.", confirmReset: "Reset {name}? Their password and authenticator stop working and their sessions end.",
    auditTitle: "Audit log", auditActor: "Who", auditThread: "Thread id", search: "Search", when: "When", action: "Action", details: "Details", more: "More", signOut: "Sign out", helpButton: "Shortcuts (?)",
    signInTitle: "Sign in", name: "Name", password: "Password", code: "Code from your authenticator app", signIn: "Sign in",
    firstTime: "First time here? Set up your account", enrolTitle: "Set up your account",
    enrolSecret: "One-time secret from your administrator", newPassword: "New password (at least 12 characters)",
    repeatPassword: "The same password again", enrolButton: "Set up",
    totpIntro: "Scan this code with your authenticator app now. It is shown only once.", totpURI: "Or use this address:",
    totpTyped: "Or type this key:", totpQR: "QR code for your authenticator app",
    enrolFinish: "I have added it: sign in", backToSignIn: "Back to sign in", passwordsDiffer: "The two passwords are not the same.",
    queueTitle: "Waiting", filterAll: "All", filterMine: "Mine", filterUnassigned: "Unassigned", mute: "Mute",
    queueEmpty: "Nobody is waiting.", back: "← Queue", claim: "Claim", transfer: "Transfer", close: "Close",
    earlier: "Earlier conversations", canned: "Canned response", cannedNone: "— choose —", replyLabel: "Reply",
    overrideLabel: "Reason to text anyway (audited)", send: "Send",
    caseTitle: "Case record", safety: "Safety", doNotContact: "Do not contact", monitored: "Phone may be monitored",
    safeToText: "Safe to text?", unknown: "Unknown", yes: "Yes", no: "No", safeTimes: "Safe times", saveSafety: "Save safety",
    referrals: "Referrals", referralTo: "Referred to", outcome: "Outcome", addReferral: "Add referral",
    notes: "Notes", noteLabel: "Note", addNote: "Add note", tags: "Typology", saveTags: "Save tags",
    supervisorTitle: "Now", channel: "Channel", waitingNow: "Waiting", longestWait: "Longest wait",
    p50: "First response p50", p90: "p90", whoOnWhat: "Who is on which thread", unassigned: "unassigned", reassign: "Reassign",
    noteOptional: "Note", cancel: "Cancel", ok: "OK",
    idleTitle: "Still there?", idleStay: "Stay signed in",
    idleText: "You will be signed out in {minutes} minutes because nothing has happened for a while.",
    helpTitle: "Keyboard shortcuts", closeHelp: "Close",
    live: "Live", reconnecting: "Connection lost — reconnecting…",
    waitingTitle: "{n} waiting", you: "you",
    from: { survivor: "Survivor", advocate: "Advocate" },
    channels: { sms: "SMS", webchat: "Webchat" },
    states: { open: "open", closed: "closed", erased: "erased" },
    roles: { advocate: "advocate", supervisor: "supervisor", compliance: "compliance", admin: "admin" },
    accountStates: { active: "active", "enrolment pending": "enrolment pending", locked: "locked", disabled: "disabled" },
    delivery: { queued: "queued", sending: "sending", sent: "sent", delivered: "delivered", failed: "not sent", unknown: "unknown" },
    unknownExplained: "Unknown: the relay crashed while sending this reply. It may or may not have arrived. Do not resend it blindly; ask in your next message if they got it.",
    outcomes: { unknown: "not known yet", worked: "worked", did_not: "did not work" },
    replyReady: "A reply can go out now.",
    replyReadyUntil: "A reply can go out now; the window stays open for {time}.",
    replyRefusals: {
      window_closed: "No reply can go out: the survivor's reply window is closed. It opens again when they write.",
      webchat_gone: "No reply can go out: the survivor's chat page is no longer open. A reply reaches them only while their page is open; it opens again when they come back.",
      do_not_contact: "No reply can go out: this contact is marked do-not-contact.",
      opted_out: "No reply can go out: the survivor opted out of texts (STOP).",
      erase_requested: "No reply can go out: the survivor asked for this conversation to be erased; nobody may contact them.",
      thread_erased: "No reply can go out: this conversation has been erased.",
    },
    replyOverride: "Their phone may be monitored or texting is not safe: a text goes out only with a reason, which is audited.",
    replyNotYours: "Claim this thread to reply.",
    purposeTitle: "Why are you opening this thread?", purposeText: "This thread is not assigned to you. Your reason is recorded in the audit log.",
    purposeLabel: "Reason",
    transferTitle: "Transfer to", transferText: "The thread moves to this advocate.", transferLabel: "Advocate's name",
    closeTitle: "Close this thread", closeText: "How did this conversation end?", closeLabel: "Wrap-up",
    dispositions: { conversation: "Conversation", silent: "Silent", abandoned: "Abandoned", abusive: "Abusive", out_of_scope: "Out of scope", test: "Test" },
    errors: {
      window_closed: "The reply was not sent: the survivor's reply window is closed. It opens again when they write.",
      do_not_contact: "The reply was not sent: this contact is marked do-not-contact.",
      opted_out: "The reply was not sent: the survivor opted out of texts (STOP).",
      safety_override_required: "The reply was not sent: their phone may be monitored or texting is not safe. Give a reason to send anyway.",
      thread_erased: "This conversation has been erased.",
      erase_requested: "The survivor asked for this conversation to be erased; nobody may contact them.",
      forbidden: "Your role may not do this.",
      purpose_required: "This thread is not yours: give a reason to open it.",
      purpose_does_not_fit: "Someone else has just taken this thread, so it is no longer a first response: give another reason.",
      rate_limited: "Too many attempts. Wait a minute and try again.",
      audit_unavailable: "The audit log cannot be written right now, so nothing was shown. Try again in a moment.",
      unavailable: "The server is busy. Try again in a moment.", busy: "The server is busy. Try again in a moment.",
      invalid_credentials: "Name, password or code not accepted.", unauthorized: "Your session has ended. Sign in again.",
      weak_password: "That password is too weak: use at least 12 characters.", not_found: "Not found (it may have been erased).",
      network: "The server cannot be reached. What you typed is kept; try again.",
      other: "That did not work ({code}). What you typed is kept.",
    },
    signedOutIdle: "You were signed out after 30 minutes without activity.",
    signedOutLimit: "You were signed out: a session lasts at most 12 hours.",
    signedOut: "Your session has ended. Sign in again.",
    sent: "Sent.", saved: "Saved.",
    minutes: "{n} min", seconds: "{n} s", hours: "{h} h {m} min",
    shortcuts: [["j / ↓", "Next in the queue"], ["k / ↑", "Previous in the queue"], ["Enter / o", "Open"], ["c", "Claim"],
      ["r", "Reply"], ["1 … 9", "Put a canned response in the reply box"], ["Ctrl+Enter", "Send the reply"],
      ["x", "Close the thread"], ["Esc / b", "Back to the queue"], ["?", "Show these shortcuts"]],
  },
  es: {
    other: "English", otherLang: "en",
    navQueue: "Cola", navSupervisor: "Supervisión", navAdmin: "Cuentas", navAudit: "Auditoría",
    adminTitle: "Cuentas", role: "Rol", state: "Estado", actions: "Acciones", addAccount: "Añadir una cuenta", add: "Añadir",
    disable: "Desactivar", enable: "Activar", reset: "Restablecer", unlock: "Desbloquear",
    accountSecret: "Secreto de un solo uso para {name}. Solo se muestra una vez: entrégalo por una vía aparte y segura. Se usa en “¿Primera vez?”.",
    confirmDisable: "¿Desactivar a {name}? Sus sesiones terminan de inmediato.", confirmReset: "¿Restablecer a {name}? Su contraseña y su autenticador dejan de funcionar y sus sesiones terminan.",
    auditTitle: "Auditoría", auditActor: "Quién", auditThread: "Id de conversación", search: "Buscar", when: "Cuándo", action: "Acción", details: "Detalles", more: "Más", signOut: "Cerrar sesión", helpButton: "Atajos (?)",
    signInTitle: "Iniciar sesión", name: "Nombre", password: "Contraseña", code: "Código de tu aplicación de autenticación", signIn: "Entrar",
    firstTime: "¿Primera vez? Configura tu cuenta", enrolTitle: "Configura tu cuenta",
    enrolSecret: "Secreto de un solo uso de tu administrador", newPassword: "Nueva contraseña (al menos 12 caracteres)",
    repeatPassword: "La misma contraseña otra vez", enrolButton: "Configurar",
    totpIntro: "Escanea este código con tu aplicación de autenticación ahora. Solo se muestra una vez.", totpURI: "O usa esta dirección:",
    totpTyped: "O escribe esta clave:", totpQR: "Código QR para tu aplicación de autenticación",
    enrolFinish: "Ya la añadí: iniciar sesión", backToSignIn: "Volver a iniciar sesión", passwordsDiffer: "Las dos contraseñas no son iguales.",
    queueTitle: "En espera", filterAll: "Todas", filterMine: "Mías", filterUnassigned: "Sin asignar", mute: "Silenciar",
    queueEmpty: "Nadie está esperando.", back: "← Cola", claim: "Tomar", transfer: "Transferir", close: "Cerrar",
    earlier: "Conversaciones anteriores", canned: "Respuesta predefinida", cannedNone: "— elegir —", replyLabel: "Respuesta",
    overrideLabel: "Motivo para enviar de todos modos (auditado)", send: "Enviar",
    caseTitle: "Expediente", safety: "Seguridad", doNotContact: "No contactar", monitored: "El teléfono puede estar vigilado",
    safeToText: "¿Es seguro enviar mensajes?", unknown: "Se desconoce", yes: "Sí", no: "No", safeTimes: "Horarios seguros", saveSafety: "Guardar seguridad",
    referrals: "Derivaciones", referralTo: "Derivado a", outcome: "Resultado", addReferral: "Añadir derivación",
    notes: "Notas", noteLabel: "Nota", addNote: "Añadir nota", tags: "Tipología", saveTags: "Guardar etiquetas",
    supervisorTitle: "Ahora", channel: "Canal", waitingNow: "En espera", longestWait: "Espera más larga",
    p50: "Primera respuesta p50", p90: "p90", whoOnWhat: "Quién atiende cada conversación", unassigned: "sin asignar", reassign: "Reasignar",
    noteOptional: "Nota", cancel: "Cancelar", ok: "Aceptar",
    idleTitle: "¿Sigues ahí?", idleStay: "Seguir conectado",
    idleText: "Tu sesión se cerrará en {minutes} minutos porque no ha habido actividad.",
    helpTitle: "Atajos de teclado", closeHelp: "Cerrar",
    live: "En vivo", reconnecting: "Conexión perdida — reconectando…",
    waitingTitle: "{n} en espera", you: "tú",
    from: { survivor: "Sobreviviente", advocate: "Defensor/a" },
    channels: { sms: "SMS", webchat: "Chat web" },
    states: { open: "abierta", closed: "cerrada", erased: "borrada" },
    roles: { advocate: "defensor/a", supervisor: "supervisión", compliance: "cumplimiento", admin: "administración" },
    accountStates: { active: "activa", "enrolment pending": "pendiente de configurar", locked: "bloqueada", disabled: "desactivada" },
    delivery: { queued: "en cola", sending: "enviando", sent: "enviado", delivered: "entregado", failed: "no enviado", unknown: "desconocido" },
    unknownExplained: "Desconocido: el sistema se detuvo mientras enviaba esta respuesta. Puede que haya llegado o no. No la reenvíes sin más; pregunta en tu próximo mensaje si la recibieron.",
    outcomes: { unknown: "aún no se sabe", worked: "funcionó", did_not: "no funcionó" },
    replyReady: "Se puede responder ahora.",
    replyReadyUntil: "Se puede responder ahora; la ventana sigue abierta {time}.",
    replyRefusals: {
      window_closed: "No se puede responder: la ventana de respuesta está cerrada. Se abre de nuevo cuando escriban.",
      webchat_gone: "No se puede responder: la página de chat de la persona ya no está abierta. Una respuesta solo le llega con su página abierta; se abre de nuevo cuando vuelva.",
      do_not_contact: "No se puede responder: este contacto está marcado como no contactar.",
      opted_out: "No se puede responder: la persona pidió no recibir mensajes (STOP).",
      erase_requested: "No se puede responder: la persona pidió borrar esta conversación; nadie puede contactarla.",
      thread_erased: "No se puede responder: esta conversación fue borrada.",
    },
    replyOverride: "Su teléfono puede estar vigilado o no es seguro enviar mensajes: solo se envía con un motivo, que queda auditado.",
    replyNotYours: "Toma esta conversación para responder.",
    purposeTitle: "¿Por qué abres esta conversación?", purposeText: "Esta conversación no está asignada a ti. Tu motivo queda registrado en la auditoría.",
    purposeLabel: "Motivo",
    transferTitle: "Transferir a", transferText: "La conversación pasa a esta persona.", transferLabel: "Nombre del defensor/a",
    closeTitle: "Cerrar esta conversación", closeText: "¿Cómo terminó esta conversación?", closeLabel: "Cierre",
    dispositions: { conversation: "Conversación", silent: "Silencio", abandoned: "Abandonada", abusive: "Abusiva", out_of_scope: "Fuera de alcance", test: "Prueba" },
    errors: {
      window_closed: "No se envió: la ventana de respuesta está cerrada. Se abre de nuevo cuando escriban.",
      do_not_contact: "No se envió: este contacto está marcado como no contactar.",
      opted_out: "No se envió: la persona pidió no recibir mensajes (STOP).",
      safety_override_required: "No se envió: su teléfono puede estar vigilado o no es seguro. Da un motivo para enviar de todos modos.",
      thread_erased: "Esta conversación fue borrada.",
      erase_requested: "La persona pidió borrar esta conversación; nadie puede contactarla.",
      forbidden: "Tu rol no permite hacer esto.",
      purpose_required: "Esta conversación no es tuya: da un motivo para abrirla.",
      purpose_does_not_fit: "Otra persona acaba de tomar esta conversación, así que ya no es una primera respuesta: da otro motivo.",
      rate_limited: "Demasiados intentos. Espera un minuto e inténtalo de nuevo.",
      audit_unavailable: "No se puede escribir la auditoría ahora, así que no se mostró nada. Inténtalo en un momento.",
      unavailable: "El servidor está ocupado. Inténtalo en un momento.", busy: "El servidor está ocupado. Inténtalo en un momento.",
      invalid_credentials: "Nombre, contraseña o código no aceptados.", unauthorized: "Tu sesión terminó. Inicia sesión de nuevo.",
      weak_password: "Esa contraseña es débil: usa al menos 12 caracteres.", not_found: "No encontrado (puede haber sido borrado).",
      network: "No se puede conectar con el servidor. Lo que escribiste se conserva; inténtalo de nuevo.",
      other: "No funcionó ({code}). Lo que escribiste se conserva.",
    },
    signedOutIdle: "Se cerró tu sesión tras 30 minutos sin actividad.",
    signedOutLimit: "Se cerró tu sesión: una sesión dura como máximo 12 horas.",
    signedOut: "Tu sesión terminó. Inicia sesión de nuevo.",
    sent: "Enviado.", saved: "Guardado.",
    minutes: "{n} min", seconds: "{n} s", hours: "{h} h {m} min",
    shortcuts: [["j / ↓", "Siguiente en la cola"], ["k / ↑", "Anterior en la cola"], ["Intro / o", "Abrir"], ["c", "Tomar"],
      ["r", "Responder"], ["1 … 9", "Poner una respuesta predefinida en el cuadro"], ["Ctrl+Intro", "Enviar la respuesta"],
      ["x", "Cerrar la conversación"], ["Esc / b", "Volver a la cola"], ["?", "Mostrar estos atajos"]],
  },
};

let lang = (navigator.language || "en").toLowerCase().startsWith("es") ? "es" : "en";

/// The current language's text for `key` ("a.b" reaches into nested groups), `{name}` filled from `vars`.
export function t(key, vars) {
  let value = key.split(".").reduce((group, part) => (group == null ? undefined : group[part]), texts[lang]);
  if (value === undefined) { value = key.split(".").reduce((group, part) => (group == null ? undefined : group[part]), texts.en); }
  if (typeof value !== "string") { return value === undefined ? key : value; }
  return value.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ""));
}

export function language() { return lang; }

export function switchLanguage() { lang = t("otherLang"); applyLanguage(); }

/// Writes every [data-i18n] element's text in the current language.
export function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((element) => { element.textContent = t(element.dataset.i18n); });
  const button = document.getElementById("lang");
  button.textContent = t("other");
  button.lang = t("otherLang");
  document.dispatchEvent(new CustomEvent("languagechange"));
}

/// "3 min", "1 h 5 min", "40 s" for a number of seconds.
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) { return t("seconds", { n: s }); }
  if (s < 3600) { return t("minutes", { n: Math.floor(s / 60) }); }
  return t("hours", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}
