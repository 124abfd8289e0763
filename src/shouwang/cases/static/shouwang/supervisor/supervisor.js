// Keyboard and htmx glue of the supervisor queues (核查结案, 回访). J/K or the arrows select a
// case, Enter opens it in the side panel, a letter or digit presses the selected case's button
// that shows that key (data-key), N goes to the callback note, "/" to the search box. Actions
// are htmx posts that swap the case (or remove it when it leaves the queue); the selection then
// moves on to the next case, so a supervisor can work the queue without the mouse.
(() => {
  "use strict";
  let selectedId = null;
  let selectedIndex = 0;
  let actedOn = null;

  const items = () => Array.from(document.querySelectorAll("[data-keyboard-list] > .queue-item"));
  const selected = () => (selectedId ? document.getElementById(`case-${selectedId}`) : null);
  const typing = (el) =>
    !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  function select(item, focus = true) {
    for (const el of items()) {
      el.classList.toggle("selected", el === item);
      if (el !== item) el.removeAttribute("aria-current");
    }
    if (!item) {
      selectedId = null;
      return;
    }
    item.setAttribute("aria-current", "true");
    selectedId = item.dataset.case;
    selectedIndex = items().indexOf(item);
    if (focus) item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = items();
    if (!list.length) return;
    const current = list.indexOf(selected());
    const next = current < 0 ? 0 : Math.min(Math.max(current + step, 0), list.length - 1);
    select(list[next]);
  }

  function open(item) {
    if (!item || !window.htmx) return;
    select(item);
    window.htmx.ajax("GET", item.dataset.detailUrl, { target: "#case-panel", swap: "innerHTML" });
  }

  function status(message, level) {
    const el = document.getElementById("supervise-status");
    if (!el) return;
    el.textContent = message;
    el.className = `status ${level}`;
  }

  document.addEventListener("keydown", (event) => {
    if (!document.querySelector("[data-supervise]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      // In the callback note, Enter hands the keys back to the case (then 1/2/3 record it).
      if (event.target.matches("[data-note]") && (event.key === "Enter" || event.key === "Escape")) {
        event.preventDefault();
        event.target.closest(".queue-item")?.focus();
      }
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "j" || key === "arrowdown") return move(1), event.preventDefault();
    if (key === "k" || key === "arrowup") return move(-1), event.preventDefault();
    if (key === "/") {
      document.querySelector("[data-search]")?.focus();
      return event.preventDefault();
    }
    const item = selected();
    if (!item) {
      // The first key only picks a case: an action never lands on one nobody chose.
      if (["enter", "a", "r", "c", "n", "1", "2", "3"].includes(key) && items().length) {
        select(items()[0]);
        event.preventDefault();
      }
      return;
    }
    if (key === "enter") {
      if (event.target.closest && event.target.closest("button, a")) return;
      open(item);
      return event.preventDefault();
    }
    if (key === "n") {
      item.querySelector("[data-note]")?.focus();
      return event.preventDefault();
    }
    const button = item.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  document.addEventListener("click", (event) => {
    const item = event.target.closest("[data-keyboard-list] > .queue-item");
    if (!item) return;
    if (event.target.closest("[data-open]")) return open(item);
    if (event.target.closest("button, a, input, select, textarea, label, form")) return select(item, false);
    open(item);
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const item = event.detail.elt.closest && event.detail.elt.closest(".queue-item");
    if (item && event.detail.requestConfig.verb === "post") actedOn = item.dataset.case;
  });

  // A refused action (422: a reason is missing; 409: someone else acted first) comes back as
  // the case with the reason shown, to be swapped in like any answer.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const code = event.detail.xhr.status;
    if (code === 409 || code === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", (event) => {
    const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
    const text = page.querySelector("main p")?.textContent || event.detail.xhr.statusText;
    status(`${event.detail.xhr.status} · ${text}`, "error");
  });

  document.addEventListener("htmx:sendError", () => {
    status(document.querySelector("[data-supervise]")?.dataset.networkError || "", "error");
  });

  // The reject form of a case: opened by its button (or R), closed by Cancel or Escape.
  function rejectForm(item, open) {
    const form = item && item.querySelector("[data-reject-form]");
    if (!form) return;
    form.hidden = !open;
    item.dataset.rejecting = open ? "1" : "0";
    if (open) form.querySelector("[data-reject-reason]")?.focus();
    else item.focus();
  }
  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-reject-open], [data-reject-cancel]");
    if (opener) rejectForm(opener.closest(".queue-item"), opener.hasAttribute("data-reject-open"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !event.target.closest("[data-reject-form]")) return;
    event.stopPropagation();
    rejectForm(event.target.closest(".queue-item"), false);
  }, true);
  function focusOpenReject() {
    const item = document.querySelector('.queue-item[data-rejecting="1"]');
    if (item) item.querySelector("[data-reject-reason]")?.focus();
  }
  document.addEventListener("DOMContentLoaded", focusOpenReject);

  document.addEventListener("htmx:afterSettle", () => {
    focusOpenReject();
    const focus = !typing(document.activeElement);
    const item = selected();
    if (item) {
      item.classList.add("selected");
      item.setAttribute("aria-current", "true");
    } else if (selectedId !== null || actedOn !== null) {
      const list = items();
      select(list.length ? list[Math.min(selectedIndex, list.length - 1)] : null, focus);
    }
    const panel = document.querySelector("#case-panel [data-case]");
    if (actedOn !== null && panel && panel.dataset.case === actedOn) {
      window.htmx.ajax("GET", panel.dataset.detailUrl, { target: "#case-panel", swap: "innerHTML" });
    }
    actedOn = null;
  });
})();
