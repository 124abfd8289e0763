// Community phone pages: fill the phone's position into forms that need it, and while on
// patrol send positions in batches, kept in localStorage until the server has them (offline
// phones send later; the server ignores a point it already has, by its seq).
(function () {
  "use strict";
  var textsNode = document.getElementById("community-texts");
  var texts = textsNode ? JSON.parse(textsNode.textContent) : {};
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var TRACK_EVERY_MS = 30000;
  var QUEUE_PREFIX = "sw.track.";

  function locate(onPoint, onError) {
    if (!navigator.geolocation) { onError(); return; }
    navigator.geolocation.getCurrentPosition(
      function (p) { onPoint(p.coords.latitude, p.coords.longitude); },
      onError,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 10000 }
    );
  }

  document.querySelectorAll("form[data-needs-position]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located === "1") { return; }
      event.preventDefault();
      var status = form.querySelector("[data-position-status]");
      if (status) { status.textContent = texts.locating || ""; }
      locate(function (lat, lng) {
        form.elements.lat.value = lat.toFixed(6);
        form.elements.lng.value = lng.toFixed(6);
        form.dataset.located = "1";
        form.submit();
      }, function () {
        if (status) { status.textContent = texts.no_geo || ""; }
      });
    });
  });

  // --- tracks ----------------------------------------------------------------------------
  function queueKey(shift) { return QUEUE_PREFIX + shift; }
  function readQueue(shift) {
    try { return JSON.parse(localStorage.getItem(queueKey(shift)) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(shift, points) {
    if (points.length) { localStorage.setItem(queueKey(shift), JSON.stringify(points)); }
    else { localStorage.removeItem(queueKey(shift)); }
  }
  function nextSeq(shift) {
    var key = QUEUE_PREFIX + "seq." + shift;
    var seq = parseInt(localStorage.getItem(key) || "0", 10) + 1;
    localStorage.setItem(key, String(seq));
    return seq;
  }

  function flush(url, shift) {
    var points = readQueue(shift);
    if (!points.length || !navigator.onLine) { return Promise.resolve(); }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ shift: parseInt(shift, 10), points: points })
    }).then(function (response) {
      if (response.ok || response.status === 404) {
        var sent = {};
        points.forEach(function (p) { sent[p.seq] = true; });
        writeQueue(shift, readQueue(shift).filter(function (p) { return !sent[p.seq]; }));
      }
    }).catch(function () { /* offline: kept for the next try */ });
  }

  function flushAll(url) {
    var shifts = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(QUEUE_PREFIX) === 0 && key.indexOf(QUEUE_PREFIX + "seq.") !== 0) {
        shifts.push(key.slice(QUEUE_PREFIX.length));
      }
    }
    return Promise.all(shifts.map(function (s) { return flush(url, s); }));
  }

  var page = document.querySelector("[data-track-url]");
  if (page) {
    var url = page.dataset.trackUrl;
    var shift = page.dataset.shiftId;
    var status = page.querySelector("[data-track-status]");
    var show = function () {
      if (status && shift) {
        status.textContent = (texts.track_pending || "") + ": " + readQueue(shift).length;
      }
    };
    var sample = function () {
      locate(function (lat, lng) {
        var points = readQueue(shift);
        points.push({ seq: nextSeq(shift), at: new Date().toISOString(), lat: lat, lng: lng });
        writeQueue(shift, points);
        show();
        flush(url, shift).then(show);
      }, function () {});
    };
    flushAll(url);
    window.addEventListener("online", function () { flushAll(url).then(show); });
    if (shift) {
      sample();
      setInterval(sample, TRACK_EVERY_MS);
      var endForm = page.querySelector("form[data-flush-track]");
      if (endForm) {
        endForm.addEventListener("submit", function (event) {
          if (endForm.dataset.flushed === "1") { return; }
          event.preventDefault();
          endForm.dataset.flushed = "1";
          flush(url, shift).then(function () { endForm.submit(); });
        });
      }
    }
  }
})();
