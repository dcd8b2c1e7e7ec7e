// Unread counts per inbox in the staff navigation and on the inbox page, kept current without a reload.
// Progressive enhancement only: without this file the inbox page shows the counts of when it was loaded.
// Polls only while the person is active at this screen, so an unattended screen still signs out when idle.
(() => {
  const EVERY = 30000;          // ms between polls
  const ACTIVE_FOR = 120000;    // ms after the last key, tap or scroll during which polling goes on
  const badges = document.querySelectorAll("[data-badge-url]");
  if (!badges.length) return;
  const url = badges[0].dataset.badgeUrl;
  let lastActive = Date.now();
  for (const kind of ["keydown", "pointerdown", "scroll", "focus"]) {
    window.addEventListener(kind, () => { lastActive = Date.now(); }, { passive: true });
  }
  const show = (data) => {
    for (const badge of badges) {
      badge.querySelector(".hearth-badge__n").textContent = data.unread_total;
      badge.hidden = data.unread_total === 0;
    }
    for (const el of document.querySelectorAll("[data-inbox-unread]")) {
      const key = el.dataset.inboxUnread;
      const pool = data.pools.find((p) => String(p.id) === key);
      el.textContent = key === "all" ? data.unread_total : (pool ? pool.unread : 0);
    }
  };
  const poll = () => {
    if (document.hidden || Date.now() - lastActive > ACTIVE_FOR) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok && (r.headers.get("Content-Type") || "").includes("json") ? r.json() : null))
      .then((data) => { if (data) show(data); })
      .catch(() => {});
  };
  poll();
  setInterval(poll, EVERY);
})();
