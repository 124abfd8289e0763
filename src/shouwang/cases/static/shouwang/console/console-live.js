// Shared by the command room's screens: step timers and ages that tick in the page, and the
// ws/notify/ socket (screen-group pushes name the case that changed), reconnecting with back-off.
(function () {
  "use strict";

  function clock(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(r).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }

  // A step's timer turns amber once 75% of its time is used and red when overdue.
  function tick() {
    const now = Date.now();
    document.querySelectorAll(".timer[data-deadline]").forEach((el) => {
      const start = Date.parse(el.dataset.start), end = Date.parse(el.dataset.deadline);
      const used = end > start ? (now - start) / (end - start) : 1;
      const left = (end - now) / 1000;
      el.classList.toggle("amber", used >= 0.75 && left > 0);
      el.classList.toggle("red", left <= 0);
      const out = el.querySelector(".left");
      if (out) out.textContent = left > 0 ? clock(left) : `+${clock(-left)}`;
    });
    document.querySelectorAll("[data-since]").forEach((el) => {
      el.textContent = clock((now - Date.parse(el.dataset.since)) / 1000);
    });
  }

  function status(on) {
    const el = document.getElementById("live");
    if (!el) return;
    el.textContent = on ? el.dataset.on : el.dataset.off;
    el.classList.toggle("off", !on);
    el.dataset.live = on ? "on" : "off";
  }

  // Calls onCase(caseBrief, message) for every case push of the jurisdiction's screens.
  function notify(onCase) {
    let delay = 1000;
    function open() {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/ws/notify/`);
      socket.onopen = () => { delay = 1000; status(true); };
      socket.onmessage = (m) => {
        const frame = JSON.parse(m.data);
        if (frame.type === "notify.message" && frame.message && frame.message.case) {
          onCase(frame.message.case, frame.message);
        }
      };
      socket.onclose = (e) => {
        status(false);
        if (e.code === 4401) return; // signed out: the next page load asks to sign in
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }

  // Collects ids for `wait` ms and hands them over as one batch.
  function batcher(wait, flush) {
    let pending = new Set(), timer = null;
    return (id) => {
      pending.add(id);
      if (timer) return;
      timer = setTimeout(() => { const ids = [...pending]; pending = new Set(); timer = null; flush(ids); }, wait);
    };
  }

  function typing(event) {
    const t = event.target;
    return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
  }

  // Times are shown in Asia/Shanghai whatever the machine's own zone (ARCHITECTURE.md).
  const ZONE = "Asia/Shanghai";
  function timeOf(iso) {
    return new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: ZONE });
  }
  function dateTimeOf(date) {
    return date.toLocaleString("zh-CN", { hour12: false, timeZone: ZONE });
  }

  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  window.ShouwangLive = { notify, batcher, tick, typing, clock, timeOf, dateTimeOf };
})();
