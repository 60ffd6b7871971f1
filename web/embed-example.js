// The example course page's script (embed-example.html): it runs the
// playground's scene through the component's API and shows the summary.
// Everything that comes back is shown as text, never as markup.
const pg = document.getElementById("pg");
const run = document.getElementById("run");
const status = document.getElementById("status");
const stats = document.getElementById("stats");

pg.addEventListener("ready", () => {
  run.disabled = false;
  status.textContent = "Ready.";
});
pg.addEventListener("state", (e) => {
  status.textContent = `The scene is ${e.detail.state}.`;
});
pg.addEventListener("error", (e) => {
  status.textContent = `The playground refused a message: ${e.detail.message}`;
});

run.addEventListener("click", async () => {
  run.disabled = true;
  try {
    const summary = await pg.run(null, 5);
    stats.replaceChildren(...Object.entries(summary.stats).map(([name, value]) => {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = name;
      const td = document.createElement("td");
      td.textContent = Number.isInteger(value) ? String(value) : value.toFixed(3);
      tr.append(th, td);
      return tr;
    }));
  } catch (err) {
    status.textContent = `The run failed: ${err.message}`;
  } finally {
    run.disabled = false;
  }
});
