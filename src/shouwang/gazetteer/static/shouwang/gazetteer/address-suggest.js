// Address suggestions as you type (标准地址库): the address field of a form gets a <datalist>
// filled from GET /api/v1/geo/geocode; choosing a suggestion fills the form's lat/lng fields
// (when there are any) and tells them it changed, so a map beside them moves to the place.
// The script tag carries the API address in data-geocode-url; no inline script (CSP).
(() => {
  "use strict";
  const script = document.currentScript;
  const url = (script && script.dataset.geocodeUrl) || "/api/v1/geo/geocode";
  const input = document.querySelector("input[name=address]");
  if (!input) return;
  const list = document.createElement("datalist");
  list.id = "address-suggestions";
  input.after(list);
  input.setAttribute("list", list.id);
  input.setAttribute("autocomplete", "off");
  const form = input.form;
  const lat = form && form.querySelector("input[name=lat]");
  const lng = form && form.querySelector("input[name=lng]");
  let known = new Map();
  let timer = null;
  let asked = "";

  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2 || q === asked || known.has(q)) return;
    asked = q;
    try {
      const response = await fetch(`${url}?q=${encodeURIComponent(q)}&limit=8`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || input.value.trim() !== q) return;
      const body = await response.json();
      known = new Map(body.results.map((r) => [r.address, r]));
      list.replaceChildren(
        ...body.results.map((r) => {
          const option = document.createElement("option");
          option.value = r.address;
          return option;
        })
      );
    } catch (e) {
      // Offline or signed out: the field still takes free text.
    }
  }

  function choose() {
    const hit = known.get(input.value);
    if (!hit || !lat || !lng) return;
    lat.value = hit.lat.toFixed(6);
    lng.value = hit.lng.toFixed(6);
    lat.dispatchEvent(new Event("change", { bubbles: true }));
    lng.dispatchEvent(new Event("change", { bubbles: true }));
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (known.has(input.value)) choose();
    else timer = setTimeout(suggest, 150);
  });
  input.addEventListener("change", choose);
})();
