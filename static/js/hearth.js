// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit the person switcher and language picker when changed (buttons stay for no-JS).
  for (const id of ["switch-person", "lang"]) {
    const select = document.getElementById(id);
    if (select) select.addEventListener("change", () => select.form.submit());
  }
});
