// The big screen (投屏): figures, map and newest cases, refreshed whenever the jurisdiction's
// screen group reports a change (ws/notify/), and every minute regardless.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  async function refreshPanel() {
    const holder = $("screen-panel");
    const response = await fetch(holder.dataset.url, { credentials: "same-origin" });
    if (!response.ok) return;
    const box = document.createElement("div");
    box.innerHTML = await response.text();
    $("figures").replaceWith(box.querySelector("#figures"));
    const fresh = box.querySelector("#newest-fresh");
    if (fresh) $("newest").replaceChildren(...fresh.content.childNodes);
    window.ShouwangLive.tick();
  }

  function clock() {
    $("clock").textContent = window.ShouwangLive.dateTimeOf(new Date());
  }

  document.addEventListener("DOMContentLoaded", async () => {
    clock();
    setInterval(clock, 1000);
    const map = await window.ShouwangMap.mount($("map"), { dark: true });
    const again = window.ShouwangLive.batcher(1000, () => { refreshPanel(); if (map) map.refresh(); });
    window.ShouwangLive.notify((brief) => again(brief.id));
    setInterval(() => { refreshPanel(); if (map) map.refresh(); }, 60000);
  });
})();
