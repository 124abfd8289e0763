// Call intake without the mouse: the category picker (↑↓, Enter or Tab picks, Esc closes),
// "lat, lng" pasted into the latitude field split in two, a map click setting the place,
// Ctrl+Enter saving and Alt+M saving as a duplicate of the best candidate.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);

  function options() { return [...$("category-list").querySelectorAll("li[data-code]")]; }
  function active() { return $("category-list").querySelector("li.active"); }
  function open(show) {
    $("category-list").hidden = !show;
    $("id_category_search").setAttribute("aria-expanded", show ? "true" : "false");
  }
  function activate(li) {
    options().forEach((o) => { o.classList.toggle("active", o === li); o.setAttribute("aria-selected", o === li ? "true" : "false"); });
    if (li) { li.scrollIntoView({ block: "nearest" }); $("id_category_search").setAttribute("aria-activedescendant", li.id); }
  }
  function choose(li) {
    $("id_category").value = li.dataset.code;
    $("id_category_search").value = li.dataset.name;
    $("category-chosen").textContent = `✓ ${li.dataset.name} (${li.dataset.code})`;
    open(false);
    htmx.trigger("#duplicates", "refresh");
  }
  function refreshDuplicates() { htmx.trigger("#duplicates", "refresh"); }

  document.addEventListener("DOMContentLoaded", async () => {
    const search = $("id_category_search");
    if ($("id_category").value) $("category-chosen").textContent = `✓ ${search.value} (${$("id_category").value})`;
    search.addEventListener("input", () => { $("id_category").value = ""; $("category-chosen").textContent = ""; });
    search.addEventListener("blur", () => setTimeout(() => open(false), 150));
    search.addEventListener("keydown", (e) => {
      const all = options(), current = active(), listOpen = !$("category-list").hidden;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!listOpen && all.length) { open(true); return; }
        const i = all.indexOf(current) + (e.key === "ArrowDown" ? 1 : -1);
        activate(all[Math.min(Math.max(i, 0), all.length - 1)]);
      } else if ((e.key === "Enter" || e.key === "Tab") && listOpen && current) {
        if (e.key === "Enter") e.preventDefault();
        choose(current);
      } else if (e.key === "Enter") {
        e.preventDefault(); // Enter here never submits a half-typed call
      } else if (e.key === "Escape") {
        open(false);
      }
    });
    $("category-list").addEventListener("mousedown", (e) => {
      const li = e.target.closest("li[data-code]");
      if (li) { e.preventDefault(); choose(li); }
    });
    document.body.addEventListener("htmx:afterSwap", (e) => {
      if (e.target.id === "category-list") { open(options().length > 0 || !!e.target.querySelector("li")); activate(options()[0]); }
    });

    // "29.1, 120.05" pasted (or typed, then left) into the latitude splits into both fields.
    const lat = $("id_lat"), lng = $("id_lng");
    const PAIR = /^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*$/;
    function split(moveOn) {
      const m = PAIR.exec(lat.value);
      if (!m) return;
      lat.value = m[1]; lng.value = m[2];
      if (moveOn) lng.focus();
      lng.dispatchEvent(new Event("change"));
      refreshDuplicates();
    }
    lat.addEventListener("input", (e) => { if (e.inputType === "insertFromPaste" || (e.data && e.data.length > 1)) split(true); });
    lat.addEventListener("change", () => split(false));

    const map = await window.ShouwangMap.mount($("pick-map"), {
      pick(la, ln) { lat.value = la; lng.value = ln; refreshDuplicates(); },
    });
    if (map && lat.value && lng.value) map.show(parseFloat(lat.value), parseFloat(lng.value));
    [lat, lng].forEach((el) => el.addEventListener("change", () => {
      if (map && lat.value && lng.value) map.show(parseFloat(lat.value), parseFloat(lng.value));
    }));
  });

  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      $("intake-form").requestSubmit($("save-call"));
    } else if (e.altKey && (e.code === "KeyM")) {
      const best = document.querySelector("[data-merge-best]");
      if (best) { e.preventDefault(); $("intake-form").requestSubmit(best); }
    }
  });
})();
