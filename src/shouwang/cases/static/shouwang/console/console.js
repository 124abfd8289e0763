// The dispatcher console: the case list kept live from ws/notify/ (a changed case's row is
// fetched again under the current filters), the map refreshed likewise, and the keyboard:
// j/k or arrows to move, Enter to open, n for a new call, / to search, Esc to leave the search.
(function () {
  "use strict";
  let selected = null;

  function rows() { return [...document.querySelectorAll("#case-rows tr.case-row")]; }

  function select(row) {
    if (selected) selected.classList.remove("selected");
    selected = row;
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const i = all.indexOf(selected);
    select(all[i < 0 ? 0 : Math.min(Math.max(i + step, 0), all.length - 1)]);
  }

  function filterQuery() {
    const form = document.getElementById("filters");
    return new URLSearchParams(new FormData(form));
  }

  async function refreshRows(ids) {
    const table = document.getElementById("cases");
    const query = filterQuery();
    query.set("ids", ids.join(","));
    const response = await fetch(`${table.dataset.rowsUrl}?${query}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("tbody");
    holder.innerHTML = await response.text();
    const fresh = new Map([...holder.querySelectorAll("tr.case-row")].map((tr) => [tr.dataset.id, tr]));
    const body = document.getElementById("case-rows");
    for (const id of ids.map(String)) {
      const old = document.getElementById(`case-${id}`);
      const row = fresh.get(id);
      if (row) {
        row.classList.add("flash");
        if (old) {
          const wasSelected = old === selected;
          old.replaceWith(row);
          if (wasSelected) select(row);
        } else {
          body.querySelector("tr.empty")?.remove();
          body.prepend(row); // a case new to this list is the newest call
        }
      } else if (old) {
        if (old === selected) select(null);
        old.remove();
      }
    }
    window.ShouwangLive.tick();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const map = await window.ShouwangMap.mount(document.getElementById("map"));
    const refreshMap = window.ShouwangLive.batcher(2000, () => map && map.refresh());
    const queue = window.ShouwangLive.batcher(300, refreshRows);
    window.ShouwangLive.notify((brief) => { queue(brief.id); refreshMap(brief.id); });
    setInterval(() => map && map.refresh(), 30000); // responders' positions come by HTTP
  });

  document.addEventListener("htmx:afterSwap", (e) => { if (e.target.id === "case-rows") select(null); });

  document.addEventListener("click", (e) => {
    const row = e.target.closest("tr.case-row");
    if (row && !e.target.closest("a")) window.location = row.dataset.url;
  });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (window.ShouwangLive.typing(e)) {
      if (e.key === "Escape") e.target.blur();
      if (e.key === "ArrowDown" && e.target.id === "search") { e.preventDefault(); e.target.blur(); move(1); }
      return;
    }
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter" && selected) { e.preventDefault(); window.location = selected.dataset.url; }
    else if (e.key === "n") { e.preventDefault(); document.getElementById("new-call").click(); }
    else if (e.key === "/") { e.preventDefault(); const s = document.getElementById("search"); s.focus(); s.select(); }
  });
})();
