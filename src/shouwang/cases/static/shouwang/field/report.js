// The citizen's report form. Without this script the form still works (a plain post that comes
// back with every typed field kept); with it:
// - the phone's position is asked for at once (HTML5 geolocation: WGS-84, stored as such);
// - "调整位置" loads ECharts only then, with the city's town outlines, to move the pin by a tap;
// - the photo is compressed before it goes up (photo.js);
// - the form is sent in the background, so a refusal shows beside the field with nothing lost,
//   not even the chosen photo.
(function () {
  "use strict";
  const form = document.querySelector("form[data-report]");
  if (!form) return;
  const T = JSON.parse((document.getElementById("report-texts") || {}).textContent || "{}");
  // Each category group's colour, set through the CSSOM (a style="" attribute would need
  // 'unsafe-inline' under the Content-Security-Policy).
  for (const el of document.querySelectorAll("[data-colour]")) el.style.setProperty("--c", el.dataset.colour);
  const $ = (sel) => form.querySelector(sel);
  const lat = $("[data-lat]"), lng = $("[data-lng]"), accuracy = $("[data-accuracy]");
  const where = $("[data-where]");
  let photo = null; // the compressed file, kept here so a refused post does not lose it
  let chart = null;

  function showWhere() {
    if (!lat.value || !lng.value) { where.textContent = T.no_position; return; }
    let line = T.position.replace("%(lat)s", Number(lat.value).toFixed(5)).replace("%(lng)s", Number(lng.value).toFixed(5));
    if (accuracy.value) line += " " + T.accuracy.replace("%(m)s", Math.round(Number(accuracy.value)));
    where.textContent = line;
    clearError("lat");
    if (chart) drawPin();
  }
  function setPoint(latitude, longitude, metres) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    accuracy.value = metres == null ? "" : Math.round(metres);
    $("[data-coord-system]").value = "wgs84"; // the HTML5 API and our map both give WGS-84
    showWhere();
  }
  function clearError(name) {
    const el = form.querySelector('[data-error-for="' + name + '"]');
    if (el) el.textContent = "";
    if (!form.querySelector("[data-error-for]:not(:empty)")) {
      const banner = document.getElementById("report-errors");
      if (banner) banner.innerHTML = "";
    }
  }

  // --- position ------------------------------------------------------------------------------
  const locate = $("[data-locate]");
  function askPosition() {
    if (!navigator.geolocation) { where.textContent = T.no_geo; return; }
    where.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(
      (pos) => setPoint(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy),
      () => { where.textContent = lat.value ? where.textContent : T.no_geo; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  locate.addEventListener("click", askPosition);
  if (!lat.value) askPosition(); else showWhere();

  // --- the map, loaded only when asked for -------------------------------------------------------
  const adjust = $("[data-adjust]");
  const mapEl = $("[data-map]");
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      if (window.echarts) return resolve();
      const s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function drawPin() {
    const point = lat.value ? [[Number(lng.value), Number(lat.value)]] : [];
    chart.setOption({ series: [{ id: "pin", data: point }] });
  }
  adjust.addEventListener("click", async () => {
    mapEl.hidden = false;
    $("[data-map-hint]").hidden = false;
    if (chart) return;
    adjust.disabled = true;
    adjust.textContent = T.map_loading;
    try {
      const [, response] = await Promise.all([loadScript(adjust.dataset.echarts), fetch(adjust.dataset.outline)]);
      const outline = await response.json();
      echarts.registerMap("report-city", outline);
      chart = echarts.init(mapEl);
      const centre = lat.value ? [Number(lng.value), Number(lat.value)] : undefined;
      chart.setOption({
        geo: { map: "report-city", roam: true, center: centre, zoom: centre ? 4 : 1.1,
          scaleLimit: { min: 1, max: 200 }, label: { show: true, fontSize: 10, color: "#667085" },
          itemStyle: { areaColor: "#e8f0fb", borderColor: "#3b6db3" },
          emphasis: { disabled: true }, select: { disabled: true } },
        series: [{ id: "pin", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 34,
          itemStyle: { color: "#c62828" }, data: [] }],
      });
      drawPin();
      chart.getZr().on("click", (e) => {
        const point = chart.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]);
        if (point && isFinite(point[0]) && isFinite(point[1])) setPoint(point[1], point[0], null);
      });
      window.addEventListener("resize", () => chart.resize());
      adjust.textContent = T.map_ready;
    } catch (err) {
      mapEl.hidden = true;
      adjust.textContent = T.map_failed;
    } finally {
      adjust.disabled = false;
    }
  });

  // --- photo ------------------------------------------------------------------------------------
  const input = $("[data-photo-input]");
  const preview = $("[data-photo-preview]");
  input.addEventListener("change", async () => {
    const original = input.files && input.files[0];
    clearError("photo");
    if (!original) { photo = null; preview.hidden = true; return; }
    preview.hidden = false;
    $("[data-photo-size]").textContent = T.compressing;
    photo = await window.swPhoto.compress(original);
    preview.querySelector("img").src = URL.createObjectURL(photo);
    $("[data-photo-size]").textContent = window.swPhoto.sizeText(photo.size);
  });

  // --- description counter; a fixed field loses its error ---------------------------------------
  const description = form.elements.description;
  const counter = document.getElementById(description.dataset.countInto);
  description.addEventListener("input", () => {
    counter.textContent = description.value.length;
    clearError("description");
  });
  form.addEventListener("change", (e) => { if (e.target.name === "category") clearError("category"); });

  // --- sending in the background -----------------------------------------------------------------
  const submit = $("[data-submit]");
  const submitStatus = $("[data-submit-status]");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = new FormData(form);
    body.delete("photo");
    if (photo) body.append("photo", photo, photo.name || "photo.jpg");
    submit.disabled = true;
    submitStatus.textContent = T.sending;
    submitStatus.classList.remove("bad");
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    } catch (err) {
      submit.disabled = false;
      submitStatus.textContent = T.offline;
      submitStatus.classList.add("bad");
      return;
    }
    if (response.ok && response.redirected) { location.assign(response.url); return; }
    const html = await response.text();
    if (response.status !== 422) { // 429 and the like: a page of its own
      document.open(); document.write(html); document.close();
      return;
    }
    const page = new DOMParser().parseFromString(html, "text/html");
    const errors = page.getElementById("report-errors");
    document.getElementById("report-errors").innerHTML = errors ? errors.innerHTML : "";
    form.querySelectorAll("[data-error-for]").forEach((el) => {
      const fresh = page.querySelector('[data-error-for="' + el.dataset.errorFor + '"]');
      el.textContent = fresh ? fresh.textContent : "";
    });
    const lost = document.getElementById("report-errors").querySelector("[data-photo-lost]");
    if (lost) lost.remove(); // the photo is still here
    submit.disabled = false;
    submitStatus.textContent = "";
    const first = form.querySelector("[data-error-for]:not(:empty)") || document.getElementById("report-errors");
    first.scrollIntoView({ behavior: "smooth", block: "center" });
  });
})();
