// The page's entry point: it starts the Go worker, the playground and the
// guided lessons panel.
import { GoWorker } from "./goworker.js";
import { Playground } from "./playground.js";
import { setupEmbed } from "./embedmode.js";
import { setupStepMode } from "./stepmode.js";
import { isStepLink } from "./stepmodel.js";
import { Lessons, lessonRequest } from "./lessons.js";

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
    // The guided lessons (lessons.js); a link ?lesson=ID&variant=V chooses one.
    pg.lessons = new Lessons(pg, $("lessons-panel"), JSON.parse(await session.go.call("lessonList")));
    pg.step = await setupStepMode(() => session.go); // the embed API drives it too
    window.stepMode = pg.step;
    if (pg.step) {
      // The lessons panel's interleave is the step mode's.
      pg.lessons.external.interleave = async (variant) => {
        const res = await pg.step.load(variant ? { variant } : {});
        if (res.ok) pg.step.activate(true);
        return res;
      };
    }
    // A step-mode link (its tasks= is the step mode's, not a scene's) was
    // loaded by setupStepMode; another lesson's link goes to the lessons.
    if (!isStepLink(location.search)) {
      const lessonReq = lessonRequest(location.search);
      if (lessonReq) await pg.lessons.load(lessonReq);
      else await pg.loadQuery(location.search);
    }
    window.playground = pg; // (the tests wait for it: the link is loaded by then)
    await setupEmbed(pg); // embed mode, "Copy embed code", and the host API when framed
  } catch (err) {
    showFailure({ message: `The playground could not start: ${err.message}`, hint: "Reload the page; if it persists, please report it." });
  }
}

main();
