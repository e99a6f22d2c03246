// Loupe's small behaviours. No inline scripts: the Content Security Policy forbids them.
document.addEventListener("click", (event) => {
  const printer = event.target.closest("[data-print]");
  if (printer) {
    event.preventDefault();
    window.print();
  }
});

// A form marked data-once disables its submit buttons after the first tap, so a double tap on
// a slow floor Wi-Fi sends one request (the server's one-time key is the real guarantee).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.matches("[data-once]")) {
    form.querySelectorAll("button[type=submit]").forEach((b) => {
      setTimeout(() => { b.disabled = true; }, 0);
    });
  }
});
