// One case at the console: the case room (ShouwangRoom) feeding the timeline, the room log and
// the responders' positions live; blocks of the page fetched again when the case changes state;
// photo upload; and the dispatcher's keys — d dispatch, v divert, m merge, e escalate,
// t transfer, x cancel, r write to the room, Esc back to the console (or close a panel),
// Ctrl+Enter submits the form you are in.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let page, room, positions = new Map();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    children.filter((c) => c != null && c !== "").forEach((c) => node.append(c));
    return node;
  }
  const hhmmss = (iso) => window.ShouwangLive.timeOf(iso);
  function dropEmpty(list) { list.querySelector("li.empty")?.remove(); }

  function addStep(e) {
    const list = $("timeline");
    if (list.querySelector(`[data-event="${e.id}"]`)) return;
    const moved = e.to_state && e.to_state !== e.from_state ? ` → ${e.to_state_label}` : "";
    list.append(el("li", { "data-event": e.id }, el("time", { datetime: e.at }, hhmmss(e.at)),
      el("strong", {}, e.label), e.actor_name ? ` · ${e.actor_name}` : "", moved, e.detail ? ` · ${e.detail}` : ""));
    list.scrollTop = list.scrollHeight;
  }

  function addRoomItem(e) {
    const list = $("room-log");
    if (list.querySelector(`[data-event="${e.id}"]`)) return;
    dropEmpty(list);
    const item = el("li", { "data-event": e.id }, el("time", { datetime: e.at }, hhmmss(e.at)),
      el("span", { class: "who" }, e.actor_name || ""), e.detail || "");
    (e.attachments || []).forEach((a) => {
      item.append(el("a", { href: a.url, target: "_blank", rel: "noopener" },
        el("img", { src: a.url, alt: a.note || e.label, width: a.width, height: a.height })));
    });
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function metres(lat1, lng1, lat2, lng2) {
    const r = 6371000, rad = Math.PI / 180;
    const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lng2 - lng1) * rad) / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(a));
  }

  function showPosition(p) {
    positions.set(p.username, p);
    const list = $("positions");
    list.replaceChildren(...[...positions.values()].map((q) => {
      const lat = parseFloat(page.dataset.lat), lng = parseFloat(page.dataset.lng);
      const away = Number.isFinite(lat) ? ` · ${Math.round(metres(lat, lng, q.lat, q.lng))} m` : "";
      return el("li", { "data-user": q.username }, `${q.name} · ${hhmmss(q.at)} · ${q.lat.toFixed(5)}, ${q.lng.toFixed(5)}${away}`);
    }));
  }

  function busyIn(block) {
    const active = document.activeElement;
    if (block.contains(active) && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName)) return true;
    return [...block.querySelectorAll("input[type=checkbox]")].some((c) => c.checked) ||
      [...block.querySelectorAll("input[type=text]")].some((i) => i.value);
  }

  async function refreshPart(part) {
    const target = $(`case-${part}`);
    if (!target || (part === "actions" && busyIn(target))) return;
    const response = await fetch(page.dataset.partUrl.replace("PART", part), { credentials: "same-origin" });
    if (!response.ok) return;
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.firstElementChild;
    if (fresh) { target.replaceWith(fresh); window.ShouwangLive.tick(); }
  }
  const refreshAll = () => ["summary", "assignees", "actions"].forEach(refreshPart);
  let refreshTimer = null;
  function refreshSoon() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refreshAll, 250); }

  function status(on) {
    const live = $("live");
    live.textContent = on ? live.dataset.on : live.dataset.off;
    live.classList.toggle("off", !on);
    live.dataset.live = on ? "on" : "off";
  }

  function onEvent(e) {
    if (e.kind === "message") addRoomItem(e);
    else if (e.kind === "attachment_added") { addRoomItem(e); addStep(e); }
    else addStep(e);
    if (e.to_state || ["dispatched", "accepted", "arrived", "returned", "resolved"].includes(e.kind)) refreshSoon();
  }

  function showError(text) { const box = $("room-error"); box.textContent = text; box.hidden = !text; }

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch { return ""; }
  }

  function togglePanel(name, force) {
    const panel = document.querySelector(`[data-panel="${name}"]`);
    if (!panel) return;
    document.querySelectorAll("[data-panel]").forEach((p) => { if (p !== panel && p.dataset.panel !== "dispatch") p.hidden = true; });
    panel.hidden = force === undefined ? (name === "dispatch" ? false : !panel.hidden) : !force;
    if (!panel.hidden) {
      panel.scrollIntoView({ block: "nearest" });
      const first = panel.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
      if (first) first.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    page = $("case-page");
    room = window.ShouwangRoom.connect({
      caseId: page.dataset.case, after: parseInt(page.dataset.lastEvent, 10) || 0, lang: page.dataset.lang,
      onEvent, onPosition: showPosition,
      onStatus: (s) => status(s === "open"),
      onSent: () => { $("room-text").value = ""; showError(""); },
      onError: (f) => showError(f.error.message),
    });
    $("room-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const text = $("room-text").value.trim();
      if (text && room.say(text) === null) showError($("room-form").dataset.offline);
    });
    $("room-photo").addEventListener("change", async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      const body = new FormData();
      body.append("file", file);
      const response = await fetch(page.dataset.uploadUrl, {
        method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() },
      });
      if (!response.ok) {
        const answer = await response.json().catch(() => null);
        showError(answer && answer.error ? answer.error.message : response.statusText);
      } else showError("");
      e.target.value = "";
    });
    const open = $("case-actions")?.dataset.open;
    if (open) togglePanel(open, true);
    setInterval(() => refreshPart("assignees"), 20000); // acknowledgements come without a step
  });

  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-toggle]");
    if (button) togglePanel(button.dataset.toggle);
  });

  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      const form = e.target.closest && e.target.closest("form.action-panel");
      if (form) { e.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (window.ShouwangLive.typing(e)) {
      if (e.key === "Escape") e.target.blur();
      // Enter on a ticked suggestion sends the dispatch, as the button would.
      if (e.key === "Enter" && e.target.type === "checkbox") {
        e.preventDefault();
        e.target.form.requestSubmit();
      }
      return;
    }
    const actions = { d: "dispatch", v: "divert", m: "merge", e: "escalate", t: "transfer", x: "cancel" };
    if (actions[e.key]) { e.preventDefault(); togglePanel(actions[e.key], true); }
    else if (e.key === "r") { e.preventDefault(); $("room-text").focus(); }
    else if (e.key === "Escape") {
      const openPanel = [...document.querySelectorAll("[data-panel]")].find((p) => !p.hidden && p.dataset.panel !== "dispatch");
      if (openPanel) openPanel.hidden = true; else window.location = $("back").href;
    }
  });
})();
