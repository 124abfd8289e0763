// The case room client (protocol: cases/consumers.py). No dependencies, no DOM: a page passes
// callbacks. It reconnects with back-off and asks only for what it missed (?after=<last id>);
// closes 4401/4403/4404 are final (sign in again / not a member / no such case).
//
//   const room = ShouwangRoom.connect({ caseId: 42, after: 17, lang: "zh-hans",
//     onEvent(event) {}, onPosition(p) {}, onHello(frame) {}, onError(frame) {},
//     onStatus("open" | "closed" | "final", code) {} });
//   room.say("已到场");  room.position(29.1, 120.05);  room.close();
(function () {
  "use strict";
  const FINAL = new Set([4401, 4403, 4404]);

  function connect(options) {
    let lastId = options.after || 0;
    let socket = null;
    let delay = 1000;
    let stopped = false;
    let ref = 0;

    function url() {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const query = new URLSearchParams({ after: String(lastId) });
      if (options.lang) query.set("lang", options.lang);
      if (options.token) query.set("token", options.token);
      return `${scheme}://${location.host}/ws/cases/${options.caseId}/?${query}`;
    }

    function handle(frame) {
      switch (frame.type) {
        case "room.event":
          if (frame.event.id > lastId) {
            lastId = frame.event.id;
            options.onEvent && options.onEvent(frame.event);
          }
          break;
        case "room.position": options.onPosition && options.onPosition(frame); break;
        case "room.hello": options.onHello && options.onHello(frame); break;
        case "room.caught_up": options.onCaughtUp && options.onCaughtUp(frame); break;
        case "room.sent": options.onSent && options.onSent(frame); break;
        case "error": options.onError && options.onError(frame); break;
      }
    }

    function open() {
      socket = new WebSocket(url());
      socket.onopen = () => { delay = 1000; options.onStatus && options.onStatus("open"); };
      socket.onmessage = (m) => handle(JSON.parse(m.data));
      socket.onclose = (e) => {
        if (FINAL.has(e.code)) {
          stopped = true;
          options.onStatus && options.onStatus("final", e.code);
          return;
        }
        options.onStatus && options.onStatus("closed", e.code);
        if (!stopped) setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }

    function send(frame) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return null;
      ref += 1;
      socket.send(JSON.stringify({ ...frame, ref }));
      return ref;
    }

    open();
    return {
      say: (text) => send({ type: "message", text }),
      position: (lat, lng, coordSystem) =>
        send({ type: "position", lat, lng, coord_system: coordSystem || "wgs84" }),
      lastId: () => lastId,
      close() { stopped = true; if (socket) socket.close(); },
    };
  }

  window.ShouwangRoom = { connect };
})();
