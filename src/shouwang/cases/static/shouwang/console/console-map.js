// The jurisdiction map of the command room's screens, drawn with ECharts from GeoJSON (no tile
// server): areas filled, grids outlined, cases as points coloured by state, responders as
// diamonds. Data from the element's data-src (console/map.json). Clicking a case opens it;
// with `pick`, clicking the map reports the coordinates (WGS-84) instead.
(function () {
  "use strict";
  // Text from data goes into tooltip HTML only escaped (a name may be hostile).
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const STATE_COLOURS = {
    received: "#d9480f", returned: "#e8590c", transferred: "#e8590c", escalated: "#e8590c",
    dispatched: "#1971c2", accepted: "#0c8599", on_scene: "#2f9e44", resolved: "#7048e8",
    verified: "#5f3dc4", closed: "#868e96", cancelled: "#adb5bd", merged: "#adb5bd",
  };

  function gridLines(grids) {
    const lines = [];
    for (const f of grids.features) {
      const g = f.geometry;
      if (!g) continue;
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      for (const polygon of polygons) for (const ring of polygon) lines.push({ name: f.properties.name, coords: ring });
    }
    return lines;
  }

  function caseSeries(cases) {
    return cases.map((c) => ({
      name: `${c.number} ${c.category}`, value: [c.lng, c.lat], url: c.url, state: c.state_label,
      itemStyle: { color: STATE_COLOURS[c.state] || "#868e96" }, symbolSize: c.priority === 1 ? 16 : 11,
    }));
  }

  function responderSeries(people) {
    return people.map((p) => ({ name: p.name, value: [p.lng, p.lat], at: p.at, available: p.available }));
  }

  async function mount(el, options = {}) {
    if (!el || !window.echarts) return null;
    const dark = !!options.dark;
    const response = await fetch(el.dataset.src, { credentials: "same-origin" });
    if (!response.ok) return null;
    let data = await response.json();
    const mapName = `sw-${el.id}`;
    echarts.registerMap(mapName, data.areas);
    const chart = echarts.init(el, dark ? "dark" : null);
    let picked = null;
    const option = () => ({
      backgroundColor: dark ? "transparent" : "#fff",
      tooltip: {
        trigger: "item",
        formatter: (p) => p.seriesName === "cases" ? `${esc(p.name)}<br>${esc(p.data.state)}`
          : p.seriesName === "responders" ? `${esc(p.name)}<br>${esc(window.ShouwangLive ? window.ShouwangLive.timeOf(p.data.at) : p.data.at)}` : esc(p.name),
      },
      geo: {
        map: mapName, roam: true, nameProperty: "name", layoutCenter: ["50%", "50%"], layoutSize: "96%",
        label: { show: data.areas.features.length <= 30, fontSize: 11, color: dark ? "#9fb2cc" : "#445" },
        itemStyle: { areaColor: dark ? "#15233b" : "#eef3fb", borderColor: dark ? "#3b5b8c" : "#3b6db3", borderWidth: 1.2 },
        emphasis: { itemStyle: { areaColor: dark ? "#1d3256" : "#dde8f8" }, label: { show: true } },
      },
      series: [
        { name: "grids", type: "lines", coordinateSystem: "geo", polyline: true, silent: true,
          lineStyle: { color: dark ? "#2c456e" : "#9fb4d6", width: 0.6, type: "dashed" }, data: gridLines(data.grids) },
        { name: "cases", type: "scatter", coordinateSystem: "geo", data: caseSeries(data.cases), zlevel: 2,
          itemStyle: { borderColor: "#fff", borderWidth: 1 } },
        { name: "responders", type: "scatter", coordinateSystem: "geo", symbol: "diamond", symbolSize: 12, zlevel: 3,
          itemStyle: { color: dark ? "#e6edf7" : "#111" }, data: responderSeries(data.responders || []) },
        { name: "picked", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 30, zlevel: 4,
          itemStyle: { color: "#c62828" }, data: picked ? [{ name: "", value: picked }] : [] },
      ],
    });
    chart.setOption(option());
    chart.on("click", (p) => {
      if (p.seriesName === "cases" && p.data && p.data.url && !options.pick) window.location = p.data.url;
    });
    if (options.pick) {
      chart.getZr().on("click", (e) => {
        const point = chart.convertFromPixel("geo", [e.offsetX, e.offsetY]);
        if (!point) return;
        const [lng, lat] = point.map((v) => Math.round(v * 1e6) / 1e6);
        show(lat, lng);
        options.pick(lat, lng);
      });
    }
    function show(lat, lng) {
      picked = lat == null || lng == null ? null : [lng, lat];
      chart.setOption({ series: [{ name: "picked", data: picked ? [{ name: "", value: picked }] : [] }] });
    }
    async function refresh() {
      const r = await fetch(el.dataset.src, { credentials: "same-origin" });
      if (!r.ok) return;
      data = await r.json();
      chart.setOption({ series: [
        { name: "cases", data: caseSeries(data.cases) },
        { name: "responders", data: responderSeries(data.responders || []) },
      ] });
    }
    window.addEventListener("resize", () => chart.resize());
    el.dataset.ready = "1";
    return { chart, refresh, show };
  }

  window.ShouwangMap = { mount, STATE_COLOURS };
})();
