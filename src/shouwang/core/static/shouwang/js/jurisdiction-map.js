// Draws a jurisdiction's children from their GeoJSON boundaries with ECharts (no tile server);
// clicking an area opens that node.
document.addEventListener("DOMContentLoaded", async () => {
  // Text from data goes into tooltip HTML only escaped (a name may be hostile).
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const el = document.getElementById("map");
  if (!el || !window.echarts) return;
  const response = await fetch(el.dataset.geojson, { credentials: "same-origin" });
  if (!response.ok) return;
  const geojson = await response.json();
  if (!geojson.features.length) { el.hidden = true; return; }
  echarts.registerMap("jurisdiction", geojson);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}<br>${esc(p.data ? p.data.code : "")}` },
    series: [{
      type: "map", map: "jurisdiction", roam: true, nameProperty: "name",
      label: { show: geojson.features.length <= 40, fontSize: 11 },
      itemStyle: { areaColor: "#e8f0fb", borderColor: "#3b6db3" },
      emphasis: { itemStyle: { areaColor: "#ffd27f" } },
      data: geojson.features.map((f) => ({ name: f.properties.name, code: f.properties.code })),
    }],
  });
  chart.on("click", (p) => { if (p.data) window.location = `${el.dataset.nodeUrl}${p.data.code}/`; });
  window.addEventListener("resize", () => chart.resize());
});
