// Behaviour every page shares, kept out of the HTML so that the Content-Security-Policy can
// forbid inline script: a <select data-autosubmit> submits its form when changed.
document.addEventListener("change", (event) => {
  const select = event.target.closest && event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
});

// Timed refreshes that a live socket makes needless: hx-trigger="every 30s" with
// data-poll-unless="swRoomOpen" skips the timed request while window.swRoomOpen is true (a
// trigger filter "[...]" would need eval, which the Content-Security-Policy forbids).
document.addEventListener("htmx:confirm", (event) => {
  const flag = event.detail.elt && event.detail.elt.dataset ? event.detail.elt.dataset.pollUnless : "";
  if (flag && !event.detail.triggeringEvent && window[flag]) event.preventDefault();
});
