// The responder's phone page. Small on purpose (slow connections, cheap phones):
// - the task list refreshes when the notification socket (ws/notify/) brings a case message,
//   and polls through htmx only while that socket is down;
// - a task page joins its case room (ws/cases/<id>/, protocol in cases/consumers.py): new
//   timeline events and messages appear as they happen, messages go out through it, and the
//   step panel refreshes when the case changes;
// - "arrived" sends the browser's position (WGS-84 from the HTML5 API);
// - photos are compressed (photo.js) and uploaded at once;
// - while the page is open, the phone's position is reported for nearest-responder dispatch.
(function () {
  "use strict";
  const root = document.querySelector("[data-field-page]");
  if (!root) return;
  const T = JSON.parse((document.getElementById("field-texts") || {}).textContent || "{}");
  const csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  const caseId = root.dataset.case ? Number(root.dataset.case) : null;
  const liveStatus = root.querySelector("[data-live-status]");
  window.swSocketOpen = false;
  window.swRoomOpen = false;

  function wsUrl(path, query) {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + path + (query ? "?" + query : "");
  }
  function fire(name) { if (window.htmx) htmx.trigger(document.body, name); }
  function setLive(on) {
    if (!liveStatus) return;
    liveStatus.textContent = on ? T.live_on : T.live_off;
    liveStatus.classList.toggle("on", on);
  }

  // A socket that reconnects with back-off, and gives up on the close codes that mean
  // "not for you" (4401 sign in again, 4403 not a member, 4404 not in your view).
  function keepOpen(makeUrl, handlers) {
    let delay = 1000;
    let socket = null;
    function open() {
      socket = new WebSocket(makeUrl());
      socket.onopen = () => { delay = 1000; handlers.open(socket); };
      socket.onmessage = (e) => { try { handlers.message(JSON.parse(e.data), socket); } catch (err) { /* bad frame */ } };
      socket.onclose = (e) => {
        handlers.close(e.code);
        if (e.code >= 4400 && e.code < 4500) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
    return { send: (frame) => socket && socket.readyState === 1 && (socket.send(JSON.stringify(frame)), true) };
  }

  // --- the task list: notification socket ------------------------------------------------
  if (root.dataset.socket) {
    const news = root.querySelector("[data-news]");
    keepOpen(() => wsUrl(root.dataset.socket), {
      open() { window.swSocketOpen = true; setLive(true); fire("field:refresh"); },
      close() { window.swSocketOpen = false; setLive(false); },
      message(frame, socket) {
        if (frame.type !== "notify.message" || !frame.message) return;
        const type = String(frame.message.type || "");
        if (!type.startsWith("case.")) return;
        if (document.visibilityState === "visible") socket.send(JSON.stringify({ type: "ack", id: frame.id }));
        if (type === "case.dispatched" && news) {
          news.hidden = false;
          if (navigator.vibrate) navigator.vibrate(300);
          setTimeout(() => { news.hidden = true; }, 8000);
        }
        fire("field:refresh");
      },
    });
  }

  // --- one task: the case room -------------------------------------------------------------
  const events = root.querySelector("[data-events]");
  let lastEvent = Number(root.dataset.lastEvent || 0);
  let room = null;
  const STEP_KINDS = new Set(["dispatched", "accepted", "arrived", "resolved", "returned", "cancelled",
    "verified", "verification_rejected", "closed", "reopened", "transferred", "diverted", "merged", "escalated"]);

  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function timeOf(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function addThumb(url, id) {
    const thumbs = root.querySelector("[data-thumbs]");
    if (!thumbs || thumbs.querySelector('[data-photo="' + id + '"]')) return;
    const empty = thumbs.querySelector("[data-no-photos]");
    if (empty) empty.remove();
    const a = document.createElement("a");
    a.href = url; a.dataset.photo = id;
    const img = document.createElement("img");
    img.src = url; img.width = 88; img.height = 88; img.alt = T.photo || "";
    a.appendChild(img);
    thumbs.appendChild(a);
  }
  function showEvent(ev) {
    if (ev.id <= lastEvent || !events) return;
    lastEvent = ev.id;
    const li = document.createElement("li");
    const message = ev.kind === "message";
    li.className = message ? "msg" : "ev";
    li.dataset.eventId = ev.id;
    li.appendChild(text("time", timeOf(ev.at)));
    li.appendChild(text("b", message ? (ev.actor_name || "") : ev.label));
    if (!message && ev.actor_name) li.appendChild(document.createTextNode(" · " + ev.actor_name));
    const said = ev.data && (ev.data.text || ev.data.note || ev.data.reason);
    if (said) li.appendChild(text("span", said, "text"));
    events.appendChild(li);
    events.scrollTop = events.scrollHeight;
    (ev.attachments || []).forEach((p) => addThumb(p.url, p.id));
    if (ev.to_state || STEP_KINDS.has(ev.kind)) fire("field:case");
  }

  const say = root.querySelector("[data-say]");
  const sayStatus = root.querySelector("[data-say-status]");
  if (root.dataset.room) {
    room = keepOpen(() => wsUrl(root.dataset.room, "after=" + lastEvent), {
      open() { window.swRoomOpen = true; setLive(true); },
      close(code) { window.swRoomOpen = false; setLive(false); },
      message(frame) {
        if (frame.type === "room.event") showEvent(frame.event);
        else if (frame.type === "room.sent") {
          if (say) { say.elements.text.value = ""; say.elements.text.disabled = false; }
          if (sayStatus) sayStatus.textContent = "";
        } else if (frame.type === "error" && frame.ref !== "position" && sayStatus) {
          if (say) say.elements.text.disabled = false;
          sayStatus.textContent = (frame.error && frame.error.message) || T.send_failed;
          sayStatus.classList.add("bad");
        }
      },
    });
  }
  if (say) {
    say.addEventListener("submit", (e) => {
      const value = say.elements.text.value.trim();
      if (!value || !room) return; // no socket: the form posts as it is
      const sent = room.send({ type: "message", text: value, ref: Date.now() });
      if (!sent) return; // socket down right now: the plain form post still works
      e.preventDefault();
      say.elements.text.disabled = true;
      if (sayStatus) { sayStatus.textContent = T.sending; sayStatus.classList.remove("bad"); }
    });
  }

  // --- "arrived": with the phone's position ------------------------------------------------
  document.addEventListener("submit", (e) => {
    const form = e.target.closest && e.target.closest("form[data-arrive]");
    if (!form || form.dataset.located) return;
    e.preventDefault();
    const status = form.querySelector("[data-arrive-status]");
    const button = form.querySelector("button");
    if (!navigator.geolocation) { status.textContent = T.no_geo; status.classList.add("bad"); return; }
    status.textContent = T.locating; status.classList.remove("bad");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition((pos) => {
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.elements.lng.value = pos.coords.longitude.toFixed(6);
      form.elements.coord_system.value = "wgs84"; // the HTML5 API always gives WGS-84
      form.dataset.located = "1";
      status.textContent = T.sending;
      form.submit();
    }, () => {
      button.disabled = false;
      status.textContent = T.no_geo; status.classList.add("bad");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });

  // --- photos: compressed, then uploaded at once ---------------------------------------------
  const photoForm = root.querySelector("[data-photo-form]");
  if (photoForm) {
    const input = photoForm.querySelector("input[type=file]");
    const status = photoForm.querySelector("[data-photo-status]");
    input.addEventListener("change", async () => {
      const files = Array.from(input.files || []);
      for (const original of files) {
        status.classList.remove("bad");
        status.textContent = T.compressing;
        const file = await window.swPhoto.compress(original);
        status.textContent = T.uploading + " (" + window.swPhoto.sizeText(file.size) + ")";
        const body = new FormData();
        body.append("file", file, file.name || "photo.jpg");
        try {
          const response = await fetch(photoForm.action, {
            method: "POST", body, credentials: "same-origin",
            headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          });
          const answer = await response.json();
          if (!response.ok) throw new Error((answer.error && answer.error.message) || response.status);
          addThumb(answer.url, answer.id);
          status.textContent = T.uploaded;
        } catch (err) {
          status.textContent = T.upload_failed + " " + err.message;
          status.classList.add("bad");
        }
      }
      input.value = "";
    });
  }

  // --- where I am, for nearest-responder dispatch --------------------------------------------
  const positionUrl = root.dataset.positionUrl;
  if (positionUrl && navigator.geolocation) {
    const positionStatus = root.querySelector("[data-position-status]");
    let lastSent = 0;
    navigator.geolocation.watchPosition((pos) => {
      const now = Date.now();
      if (now - lastSent < 60000) return; // one report a minute is plenty
      lastSent = now;
      const body = { lat: pos.coords.latitude, lng: pos.coords.longitude, coord_system: "wgs84" };
      // Working this case: through its room, so command sees the position live.
      if (root.dataset.working && room && room.send({ type: "position", ref: "position", ...body })) {
        if (positionStatus) positionStatus.textContent = T.position_on;
        return;
      }
      fetch(positionUrl, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      }).then((r) => { if (r.ok && positionStatus) positionStatus.textContent = T.position_on; })
        .catch(() => { lastSent = 0; });
    }, () => { /* no permission: dispatch falls back to other responders */ },
    { enableHighAccuracy: false, maximumAge: 60000, timeout: 30000 });
  }
})();
