// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit the person switcher and language picker when changed (buttons stay for no-JS).
  for (const id of ["switch-person", "lang"]) {
    const select = document.getElementById(id);
    if (select) select.addEventListener("change", () => select.form.submit());
  }
  // The header's "Menu" is a link to the "More" page; with USWDS's script it opens the menu drawer instead.
  const menu = document.querySelector("a.usa-menu-btn");
  if (menu && window.uswdsPresent) {
    menu.setAttribute("role", "button");
    menu.addEventListener("click", (event) => event.preventDefault());
  }
});

// Installable app: the service worker only serves an offline page; it never stores pages or data.
const hearthScript = document.currentScript;
if ("serviceWorker" in navigator && hearthScript && hearthScript.dataset.sw) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(hearthScript.dataset.sw, { scope: "/" }).catch(() => {});
  });
}
