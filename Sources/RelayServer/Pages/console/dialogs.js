// One question at a time in a modal <dialog>: a choice from a list, or free text, with an optional note.

const $ = (id) => document.getElementById(id);

/// Resolves to { value, note } or null when cancelled.
export function ask({ title, text, label, options, free, note }) {
  return new Promise((resolve) => {
    const dialog = $("ask");
    $("ask-title").textContent = title;
    $("ask-text").textContent = text || "";
    $("ask-choice-label").textContent = label;
    const old = $("ask-choice");
    const field = free ? document.createElement("input") : document.createElement("select");
    field.id = "ask-choice";
    if (free) {
      field.maxLength = 64;
      field.required = true;
      field.autocomplete = "off";
    } else {
      for (const [value, shown] of options) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = shown;
        field.append(option);
      }
    }
    old.replaceWith(field);
    $("ask-note").value = "";
    $("ask-note").hidden = !note;
    $("ask-note-label").hidden = !note;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "ok" && field.value.trim()) {
        resolve({ value: field.value.trim(), note: $("ask-note").value.trim() });
      } else {
        resolve(null);
      }
    }, { once: true });
    dialog.showModal();
    field.focus();
  });
}
