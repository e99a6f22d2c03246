// Take-in screen: picking a customer found by the search fills in their email and phone if
// those boxes are still empty, so the counter confirms rather than retypes them.
document.addEventListener("change", (event) => {
  const choice = event.target.closest("input[type=radio][name=customer]");
  if (!choice || !choice.form) {
    return;
  }
  for (const name of ["email", "phone"]) {
    const box = choice.form.elements[name];
    if (box && !box.value && choice.dataset[name]) {
      box.value = choice.dataset[name];
    }
  }
});

// Enter in the customer search box searches; it must not submit the half-filled take-in.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.matches("form.take-in input[type=search]")) {
    event.preventDefault();
  }
});
