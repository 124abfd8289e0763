// Category suggestion on the console intake screen: as the dispatcher types the call's text,
// ask /api/v1/insight/suggest-category and offer the likeliest category with its confidence.
// A click (or Alt+S) takes it; below the threshold it is shown as a hint only and the
// dispatcher chooses. Nothing is chosen without the dispatcher.
(function () {
  "use strict";
  const box = document.getElementById("category-suggestion");
  const text = document.getElementById("id_description");
  if (!box || !text) return;
  let timer = null, current = null, asked = "";

  function take() {
    if (!current) return;
    document.getElementById("id_category").value = current.code;
    document.getElementById("id_category_search").value = current.label;
    document.getElementById("category-chosen").textContent = `✓ ${current.label} (${current.code})`;
    const dupes = document.getElementById("duplicates");
    if (dupes) dupes.dispatchEvent(new Event("refresh"));
    box.hidden = true;
  }

  function show(data) {
    current = data.code ? data : null;
    box.replaceChildren();
    if (!current) { box.hidden = true; return; }
    const button = document.createElement("button");
    button.type = "button";
    button.className = current.confident ? "suggestion confident" : "suggestion";
    button.textContent = `${box.dataset.prefix} ${current.label} (${Math.round(current.confidence * 100)}%)`;
    button.addEventListener("click", take);
    box.append(button);
    if (!current.confident) {
      const hint = document.createElement("span");
      hint.className = "muted";
      hint.textContent = ` ${box.dataset.unsure}`;
      box.append(hint);
    }
    box.hidden = false;
  }

  function ask() {
    const value = text.value.trim();
    if (value === asked) return;
    asked = value;
    if (value.length < 4) { show({}); return; }
    fetch(`${box.dataset.src}?text=${encodeURIComponent(value)}`, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : {}))
      .then(show)
      .catch(() => show({}));
  }

  text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 400); });
  document.addEventListener("keydown", (e) => { if (e.altKey && e.key.toLowerCase() === "s") { e.preventDefault(); take(); } });
})();
