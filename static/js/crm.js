// Customer screens. No inline scripts: the Content Security Policy forbids them.

// The text-message consent names the number to be texted: echo it as the associate types it,
// so the words the customer reads are the words the ledger records.
document.addEventListener("input", (event) => {
  if (event.target.matches(".walk-in input[name=phone]")) {
    const typed = event.target.value.trim();
    document.querySelectorAll(".crm-phone-echo").forEach((span) => {
      span.textContent = typed || "the number above";
    });
  }
});

// Bought or not: show "why not?" or "amount paid", whichever applies.
function crmShowBought(form) {
  const checked = form.querySelector("input[name=bought]:checked");
  const value = checked ? checked.value : "no";
  form.querySelectorAll("[data-when-bought]").forEach((box) => {
    box.classList.toggle("is-hidden", box.dataset.whenBought !== value);
  });
}
document.addEventListener("change", (event) => {
  if (event.target.matches(".walk-in input[name=bought]")) {
    crmShowBought(event.target.form);
  }
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form.walk-in").forEach(crmShowBought);
});
