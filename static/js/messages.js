// Progressive enhancement for message forms: a live count of characters left under each message box.
// Without JavaScript the limit stays a hint, the browser's maxlength and the server's error.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("textarea.hearth-counted")) {
    const max = Number(box.dataset.max);
    const out = document.getElementById("c-" + box.name);
    if (!max || !out) continue;
    let timer = null;
    const show = () => {
      const left = max - Array.from(box.value).length;
      out.textContent = left === 1 ? box.dataset.one : box.dataset.many.replace("{n}", left.toLocaleString());
      out.classList.toggle("hearth-counter--over", left < 0);
    };
    // Screen readers hear the count after a pause in typing, not on every key.
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(show, 400); });
    show();
  }
});
