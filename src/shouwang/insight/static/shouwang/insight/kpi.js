// Draws the KPI page's charts with ECharts from the figures the page embeds (#kpi-data): the
// daily trend, the on-time rate per step, the children of the node as bars and as a map coloured
// by a chosen figure (clicking either drills down), cases by category and by state. No tiles,
// no outside requests: the map is the children's GeoJSON from our own API.
(() => {
  "use strict";
  // Text from data goes into tooltip HTML only escaped (a name may be hostile).
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const BLUE = "#1f4e8c";
  const PALETTE = [BLUE, "#e69500", "#1b7a3a", "#c62828", "#6a4c93", "#118ab2", "#8d6e63"];
  // Waiting in amber and red, being worked in blues, done in greens, gone elsewhere in greys.
  const STATE_COLOURS = {
    received: "#e69500", returned: "#c62828", escalated: "#b23a48", transferred: "#8d6e63",
    dispatched: "#8fb0dd", accepted: "#5b8bd0", on_scene: BLUE,
    resolved: "#118ab2", verified: "#4caf7a", closed: "#1b7a3a",
    merged: "#b0b7c3", cancelled: "#98a2b3",
  };

  function valueOrDash(value) {
    return value === null || value === undefined ? "-" : value;
  }

  function chart(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const instance = window.echarts.init(el);
    window.addEventListener("resize", () => instance.resize());
    return instance;
  }

  function empty(instance, text) {
    instance.setOption({
      graphic: { type: "text", left: "center", top: "middle", style: { text, fill: "#667085", fontSize: 14 } },
    });
  }

  function drawDays(data) {
    const c = chart("chart-days");
    if (!c) return;
    if (!data.days.length) return empty(c, data.labels.noData);
    c.setOption({
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: 32 },
      xAxis: { type: "category", data: data.days.map((d) => d.slice(5)) },
      yAxis: [
        { type: "value", name: data.labels.cases, minInterval: 1 },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } },
      ],
      series: [
        { name: data.labels.cases, type: "bar", data: data.dayCases, barMaxWidth: 28 },
        { name: data.labels.arrival, type: "line", yAxisIndex: 1, connectNulls: true, data: data.dayArrival.map(valueOrDash) },
        { name: data.labels.satisfaction, type: "line", yAxisIndex: 1, connectNulls: true, data: data.daySatisfaction.map(valueOrDash) },
        { name: data.labels.diverted, type: "line", step: "middle", data: data.dayDiverted },
      ],
    });
  }

  function drawSteps(data) {
    const c = chart("chart-steps");
    if (!c) return;
    c.setOption({
      color: [BLUE],
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === "-" || v == null ? "—" : `${v}%`) },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: data.steps.map((s) => s.name) },
      yAxis: { type: "value", name: data.labels.onTime, min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{
        type: "bar", barMaxWidth: 48, data: data.steps.map((s) => valueOrDash(s.value)),
        label: { show: true, position: "top", formatter: (p) => (p.value === "-" ? "—" : `${p.value}%`) },
      }],
    });
  }

  function figureOf(data, key) {
    return data.figures.find((f) => f.key === key) || data.figures[0];
  }

  function drill(params) {
    const url = params && params.data && params.data.url;
    if (url) window.location.href = url;
  }

  function drawChildren(data, key) {
    const el = document.getElementById("chart-children");
    if (!el) return;
    const c = window.echarts.getInstanceByDom(el) || chart("chart-children");
    const figure = figureOf(data, key);
    const rows = data.children;
    c.setOption({
      color: [BLUE],
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === "-" || v == null ? "—" : figure.percent ? `${v}%` : v) },
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name) },
      xAxis: { type: "value", max: figure.percent ? 100 : null, minInterval: 1 },
      series: [{
        type: "bar", name: figure.label, barMaxWidth: 22, cursor: "pointer",
        label: { show: true, position: "right", formatter: (p) => (p.value === "-" ? "—" : figure.percent ? `${p.value}%` : p.value) },
        data: rows.map((r) => ({ value: valueOrDash(r[figure.key]), url: r.url, code: r.code })),
      }],
    }, true);
    c.off("click");
    c.on("click", drill);
  }

  async function drawMap(data, key) {
    const el = document.getElementById("chart-map");
    if (!el) return;
    let c = window.echarts.getInstanceByDom(el);
    if (!c) {
      const response = await fetch(data.geojson, { credentials: "same-origin" });
      const geojson = response.ok ? await response.json() : { features: [] };
      if (!geojson.features.length) { el.hidden = true; return; }
      window.echarts.registerMap("kpi-children", geojson);
      c = chart("chart-map");
      c.on("click", drill);
    }
    const figure = figureOf(data, key);
    const values = data.children.map((r) => r[figure.key]).filter((v) => v !== null && v !== undefined);
    const max = figure.percent ? 100 : Math.max(1, ...values);
    c.setOption({
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const v = p.data ? p.data.value : null;
          const shown = v === null || v === undefined || v === "-" ? "—" : figure.percent ? `${v}%` : v;
          return `${esc(p.name)}<br>${esc(figure.label)}: ${esc(shown)}`;
        },
      },
      visualMap: {
        min: 0, max, calculable: true, left: 8, bottom: 8,
        text: [figure.percent ? `${max}%` : String(max), ""], inRange: { color: ["#e8f0fb", "#8fb0dd", BLUE] },
      },
      series: [{
        type: "map", map: "kpi-children", roam: true, nameProperty: "name", cursor: "pointer",
        label: { show: data.children.length <= 40, fontSize: 11 },
        itemStyle: { borderColor: "#3b6db3", areaColor: "#f3f5f8" },
        emphasis: { itemStyle: { areaColor: "#ffd27f" } },
        data: data.children.map((r) => ({ name: r.name, value: valueOrDash(r[figure.key]), url: r.url, code: r.code })),
      }],
    }, true);
  }

  function drawCategories(data) {
    const c = chart("chart-categories");
    if (!c) return;
    if (!data.categories.length) return empty(c, data.labels.noData);
    const top = data.categories.slice(0, 15);
    c.setOption({
      color: ["#118ab2"],
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      yAxis: { type: "category", inverse: true, data: top.map((r) => r.name) },
      xAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: data.labels.cases, barMaxWidth: 20, label: { show: true, position: "right" }, data: top.map((r) => r.value) }],
    });
  }

  function drawStates(data) {
    const c = chart("chart-states");
    if (!c) return;
    if (!data.states.length) return empty(c, data.labels.noData);
    c.setOption({
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie", radius: ["38%", "68%"], top: -20, label: { formatter: "{b}\n{c}" },
        data: data.states.map((s) => ({ ...s, itemStyle: { color: STATE_COLOURS[s.state] || BLUE } })),
      }],
    });
  }

  function drillRows() {
    for (const row of document.querySelectorAll("tr[data-href]")) {
      row.addEventListener("click", (event) => {
        if (!event.target.closest("a")) window.location.href = row.dataset.href;
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("kpi-data");
    drillRows();
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    drawDays(data);
    drawSteps(data);
    drawCategories(data);
    drawStates(data);
    const pick = document.getElementById("kpi-figure");
    const key = pick ? pick.value : "cases";
    drawChildren(data, key);
    drawMap(data, key);
    if (pick) {
      pick.addEventListener("change", () => {
        drawChildren(data, pick.value);
        drawMap(data, pick.value);
      });
    }
  });
})();
