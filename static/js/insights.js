// The dashboard's charts, drawn by the vendored Chart.js from the page's json_script data
// (no inline script: the Content Security Policy forbids it).
(() => {
  const source = document.getElementById("insights-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const locale = document.documentElement.lang || undefined;
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#0dcaf0", "#6c757d"];
  const ticks = { precision: 0, callback: (value) => count.format(value) };
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
  };

  const base = document.getElementById("base-chart");
  if (base) {
    const datasets = data.sources.map((s, i) => ({
      type: "bar", label: s.label, data: s.values, stack: "new",
      backgroundColor: palette[i % palette.length],
    }));
    datasets.push({ type: "bar", label: "Lapsed", data: data.lapsed.map((n) => -n),
      stack: "new", backgroundColor: "#dc3545" });
    datasets.push({ type: "line", label: "Net", data: data.net, borderColor: "#212529",
      backgroundColor: "#212529", tension: 0.2 });
    new Chart(base, {
      data: { labels: data.months, datasets },
      options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, ticks } } },
    });
  }

  const orphans = document.getElementById("orphans-chart");
  if (orphans) {
    new Chart(orphans, {
      type: "line",
      data: { labels: data.months, datasets: [{ label: "Orphaned clients", data: data.orphans,
        borderColor: "#dc3545", backgroundColor: "#dc3545", tension: 0.2 }] },
      options: { ...common, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks } } },
    });
  }

  // Charts redraw at the paper's width when printed.
  window.addEventListener("beforeprint", () => {
    Object.values(Chart.instances).forEach((chart) => chart.resize());
  });
})();
