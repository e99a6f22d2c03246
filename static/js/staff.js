// Staff pages: a "tick all" box for the client tables. No inline scripts (CSP).
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-tick-all]");
  if (!all) return;
  const form = all.closest("form");
  form.querySelectorAll(`input[type=checkbox][name="${all.dataset.tickAll}"]`).forEach((box) => {
    box.checked = all.checked;
  });
});
