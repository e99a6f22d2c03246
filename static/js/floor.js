// The shared floor tablet: lock when left alone, and keep a form in progress across a lock
// for the same associate only. Loaded only on a floor tablet (staff/partials/_floor_lock.html).
(() => {
  const lockForm = document.getElementById("floor-lock");
  if (!lockForm) return;
  const user = lockForm.dataset.floorUser;
  const idleMs = Number(lockForm.dataset.floorIdle) * 1000;
  const PREFIX = "loupe.floor.draft:";
  const SKIP = new Set(["csrfmiddlewaretoken", "one_time_key", "next"]);

  const forms = () => Array.from(document.querySelectorAll("main form[method=post]"))
    .filter((form) => !form.matches("[data-floor-nodraft]"));
  const keyOf = (form) => `${PREFIX}${location.pathname}:${forms().indexOf(form)}`;

  function fieldsOf(form) {
    const fields = [];
    for (const el of form.elements) {
      if (!el.name || SKIP.has(el.name) || el.type === "password" || el.type === "hidden"
          || el.type === "file" || el.type === "submit") continue;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) continue;
      fields.push([el.name, el.value]);
    }
    return fields;
  }

  function save(form) {
    sessionStorage.setItem(keyOf(form), JSON.stringify({ user, fields: fieldsOf(form) }));
  }

  function restore(form) {
    const draft = JSON.parse(sessionStorage.getItem(keyOf(form)) || "null");
    if (!draft || draft.user !== user) return;
    const values = new Map();
    draft.fields.forEach(([name, value]) => values.set(name, (values.get(name) || []).concat(value)));
    for (const el of form.elements) {
      if (!values.has(el.name) && !(el.type === "checkbox" || el.type === "radio")) continue;
      const wanted = values.get(el.name) || [];
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.name && !SKIP.has(el.name)) el.checked = wanted.includes(el.value);
      } else if (!SKIP.has(el.name) && el.type !== "password" && el.type !== "hidden") {
        el.value = wanted[0];
        el.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  }

  // Drafts left by another associate are never shown to this one.
  for (let i = sessionStorage.length - 1; i >= 0; i -= 1) {
    const key = sessionStorage.key(i);
    if (!key.startsWith(PREFIX)) continue;
    const draft = JSON.parse(sessionStorage.getItem(key) || "null");
    if (!draft || draft.user !== user) sessionStorage.removeItem(key);
  }

  forms().forEach((form) => {
    restore(form);
    form.addEventListener("input", () => save(form));
    form.addEventListener("change", () => save(form));
    form.addEventListener("submit", () => sessionStorage.removeItem(keyOf(form)));
  });

  // Typing a long note makes no request: tell the server now and then that someone is
  // here, so its own idle check (the backstop for a closed or frozen page) does not lock.
  const ALIVE_EVERY_MS = 30 * 1000;
  let lastAlive = Date.now();
  function alive() {
    if (Date.now() - lastAlive < ALIVE_EVERY_MS) return;
    lastAlive = Date.now();
    const csrf = lockForm.elements.namedItem("csrfmiddlewaretoken").value;
    fetch(lockForm.dataset.floorAlive, { method: "POST", headers: { "X-CSRFToken": csrf },
                                         credentials: "same-origin" });
  }

  let timer;
  function lockNow() {
    forms().forEach(save);
    lockForm.elements.namedItem("why").value = "idle";
    lockForm.elements.namedItem("next").value = location.pathname + location.search;
    lockForm.submit();
  }
  function rearm() {
    alive();
    clearTimeout(timer);
    timer = setTimeout(lockNow, idleMs);
  }
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach((type) => {
    document.addEventListener(type, rearm, { passive: true });
  });
  lockForm.addEventListener("submit", () => forms().forEach(save));
  rearm();
})();
