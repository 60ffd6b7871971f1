// The page's entry point: it starts the Go worker and wires the lesson's
// scene to its Run and Stop buttons.
import { GoWorker } from "./goworker.js";
import { Playground } from "./playground.js";
import { setupEmbed } from "./embedmode.js";
import { setupStepMode } from "./stepmode.js";
import { isStepLink } from "./stepmodel.js";

const $ = (id) => document.getElementById(id);

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status-text").textContent = text;
}

function showFailure({ message, hint }) {
  console.error(`playground: ${message} ${hint || ""}`);
  setStatus("failed", "Not running");
  $("failure-message").textContent = message;
  $("failure-hint").textContent = hint || "";
  $("failure").hidden = false;
  for (const b of document.querySelectorAll("main button")) b.disabled = true;
}

function logLine(list, { atMs, who, kind, text }) {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  const at = document.createElement("span");
  at.className = "at";
  at.textContent = `+${(atMs / 1000).toFixed(2)} s`;
  const w = document.createElement("span");
  w.className = "who";
  w.textContent = who;
  const t = document.createElement("span");
  t.className = "text";
  const k = document.createElement("span");
  k.className = "kind";
  k.textContent = kind;
  t.append(k, text);
  li.append(at, w, t);
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function setupLesson(session) {
  const run = $("lesson-run");
  const stop = $("lesson-stop");
  const log = $("lesson-log");
  run.addEventListener("click", async () => {
    run.disabled = true;
    stop.disabled = false;
    log.replaceChildren();
    try {
      await session.go.stream("runLesson", [{}], (line) => logLine(log, line));
    } catch (err) {
      const stopped = /context canceled/.test(err.message);
      logLine(log, { atMs: 0, who: "page", kind: stopped ? "info" : "error", text: stopped ? "Stopped." : err.message });
    } finally {
      run.disabled = false;
      stop.disabled = true;
    }
  });
  stop.addEventListener("click", () => session.go.call("stopLesson"));
}

function startWorker() {
  const go = new GoWorker("worker.js");
  go.addEventListener("output", (e) => {
    // What Go prints reaches the page's console; a panic is an error.
    const { fd, text } = e.detail;
    if (fd === 2 || /^(panic|fatal error):/m.test(text)) console.error(`[go] ${text}`);
    else console.log(`[go] ${text}`);
  });
  go.addEventListener("fatal", (e) => {
    if (!go.retired) showFailure(e.detail);
  });
  return go;
}

async function main() {
  if (window.playgroundUnsupported) return; // boot.js has said why

  // The session owns the worker, and can replace it: a scene that does not
  // stop when asked is ended by terminating its worker.
  const session = { go: startWorker() };
  let info;
  try {
    info = await session.go.ready;
  } catch (reason) {
    showFailure(reason);
    return;
  }
  $("go-version").textContent = info.goVersion.replace(/^go/, "");
  setStatus("ready", "Ready");
  // For the browser benchmark: milliseconds from navigation to a ready page.
  window.playgroundReadyMs = performance.now();
  setupLesson(session);
  $("lesson-run").disabled = false;
  try {
    const spec = JSON.parse(await session.go.call("sceneSpec"));
    const pg = new Playground(session.go, spec, $("playground"));
    pg.restartWorker = async () => {
      const old = session.go;
      old.retired = true;
      old.terminate();
      session.go = startWorker();
      await session.go.ready;
      pg.attach(session.go);
      if (pg.step) await pg.step.reload(); // the step mode's run was in the old worker
    };
    $("playground").hidden = false;
    // A step-mode link's tasks= is the step mode's, not a scene's.
    if (!isStepLink(location.search)) await pg.loadQuery(location.search);
    window.playground = pg;
    pg.step = await setupStepMode(() => session.go); // the embed API drives it too
    window.stepMode = pg.step;
    await setupEmbed(pg); // embed mode, "Copy embed code", and the host API when framed
  } catch (err) {
    showFailure({ message: `The playground could not start: ${err.message}`, hint: "Reload the page; if it persists, please report it." });
  }
}

main();
