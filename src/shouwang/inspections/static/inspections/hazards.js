// Rectify / re-inspect buttons of the hazard list: post to the API, then reload the list.
(function () {
  "use strict";
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  document.querySelectorAll("form.hazard-step").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const note = form.querySelector("input[name=note]").value;
      const payload = { note: note };
      if (form.dataset.step === "reinspect") {
        payload.passed = event.submitter && event.submitter.value === "1";
      }
      const status = form.parentElement.querySelector("[data-status]");
      const response = await fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(payload),
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      const data = await response.json().catch(() => ({}));
      status.textContent = (data.error && data.error.message) || String(response.status);
    });
  });
})();
