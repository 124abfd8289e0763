// The inspector's checklist page. Every change is saved as a draft in localStorage, so a
// dropped connection (a basement) loses nothing; a draft marked "pending" is submitted again
// when the phone is back online. The draft id goes with it: the server keeps one inspection
// per draft id, so a submission repeated after a timeout is not a second inspection.
(function () {
  "use strict";
  const form = document.querySelector("[data-inspection-form]");
  if (!form) return;
  const texts = JSON.parse(document.getElementById("inspect-texts").textContent);
  const status = form.querySelector("[data-status]");
  const storeKey = "sw-inspection:" + form.dataset.premises + ":" + form.dataset.template;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  let position = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "d" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }
  function load() {
    try {
      return JSON.parse(localStorage.getItem(storeKey)) || null;
    } catch (e) {
      return null;
    }
  }
  let draft = load() || { draft: newId(), answers: {}, pending: false };
  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify(draft));
    } catch (e) {
      /* storage full: the photos are dropped from the draft, answers kept */
      Object.values(draft.answers).forEach((a) => delete a.photo);
      localStorage.setItem(storeKey, JSON.stringify(draft));
    }
  }
  function say(text) {
    status.textContent = text;
  }
  function items() {
    return Array.from(form.querySelectorAll("[data-item]"));
  }
  function restore() {
    items().forEach((box) => {
      const a = draft.answers[box.dataset.item];
      if (!a) return;
      if (a.ok !== undefined) {
        const radio = box.querySelector('input[type=radio][value="' + (a.ok ? "1" : "0") + '"]');
        if (radio) radio.checked = true;
      }
      if (a.note) box.querySelector("input[type=text]").value = a.note;
    });
  }
  function answerOf(box) {
    const code = box.dataset.item;
    draft.answers[code] = draft.answers[code] || {};
    return draft.answers[code];
  }
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(img.src);
        resolve(canvas.toDataURL("image/jpeg", 0.7));
      };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }
  form.addEventListener("change", async (event) => {
    const box = event.target.closest("[data-item]");
    if (!box) return;
    const answer = answerOf(box);
    if (event.target.type === "radio") answer.ok = event.target.value === "1";
    if (event.target.type === "text") answer.note = event.target.value;
    if (event.target.type === "file" && event.target.files[0]) {
      answer.photo = await shrink(event.target.files[0]);
    }
    save();
    say(texts.saved);
  });
  form.addEventListener("input", (event) => {
    if (event.target.type !== "text") return;
    answerOf(event.target.closest("[data-item]")).note = event.target.value;
    save();
  });
  function body() {
    const answers = [];
    Object.entries(draft.answers).forEach(([item, a]) => {
      if (a.ok === undefined) return;
      answers.push({ item: item, ok: a.ok, note: a.note || "", photo: a.photo || "" });
    });
    const out = {
      premises: form.dataset.premises,
      template: form.dataset.template,
      template_version: Number(form.dataset.version),
      answers: answers,
      draft: draft.draft,
    };
    if (position) {
      out.lat = position.lat;
      out.lng = position.lng;
    }
    return out;
  }
  async function submit() {
    draft.pending = true;
    save();
    if (!navigator.onLine) {
      say(texts.offline);
      return;
    }
    say(texts.sending);
    let response;
    try {
      response = await fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body()),
      });
    } catch (e) {
      say(texts.offline);
      return;
    }
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      localStorage.removeItem(storeKey);
      draft = { draft: newId(), answers: {}, pending: false };
      form.dataset.done = String(data.id);
      say(texts.sent.replace("%(n)s", String((data.hazards || []).length)));
      form.querySelector("[data-submit]").disabled = true;
      return;
    }
    draft.pending = false;
    save();
    say(texts.failed + ((data.error && data.error.message) || response.status));
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const unanswered = items().filter(
      (box) => box.dataset.required === "1" && (draft.answers[box.dataset.item] || {}).ok === undefined,
    );
    if (unanswered.length) {
      say(texts.missing);
      unanswered[0].scrollIntoView({ block: "center" });
      return;
    }
    submit();
  });
  window.addEventListener("online", () => {
    if (draft.pending) submit();
  });
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      (p) => {
        position = { lat: p.coords.latitude, lng: p.coords.longitude };
      },
      () => {},
      { enableHighAccuracy: true, timeout: 15000 },
    );
  }
  restore();
  if (draft.pending && navigator.onLine) submit();
})();
