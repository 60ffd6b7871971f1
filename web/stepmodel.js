// The step mode's pure logic: what the page says about a step-mode state
// (from the Go side's interleave.State) and how a link to one is written.
// No DOM here, so that node --test runs it. Validation of links and
// messages is the Go side's (stepFromQuery, stepLoad): one place, naming
// the field and the value; this module only writes links Go reads back.

/** The lesson id of the step mode, as Go's interleave.Lesson; the page checks it against stepSpec's at start. */
export const LESSON = "interleave";

/** isStepLink tells whether a page URL's query asks for the step mode (?lesson=interleave). */
export function isStepLink(search) {
  return new URLSearchParams(search).get("lesson") === LESSON;
}

/**
 * stepQuery writes the link's query for a run, without "?":
 * lesson=interleave&variant=V&tasks=N&schedule=0,1,0 (no schedule when no
 * step was taken). Commas stay commas, so a teacher can read the link.
 */
export function stepQuery({ variant, tasks, schedule }) {
  const parts = [`lesson=${LESSON}`, `variant=${encodeURIComponent(variant)}`, `tasks=${encodeURIComponent(tasks)}`];
  if (schedule) parts.push(`schedule=${String(schedule).split(",").map(encodeURIComponent).join(",")}`);
  return parts.join("&");
}

/** stepLink is the page at base (its folder's URL) showing the run. */
export function stepLink(base, run) {
  const url = new URL(base);
  url.search = stepQuery(run);
  url.hash = "";
  return url.href;
}

/**
 * taskForKey maps a key to the task it steps: "1" to "4" are tasks 0 to 3
 * (up to maxTasks), whatever the run's number of tasks, so that pressing
 * 3 with two tasks is refused with the reason rather than ignored. null
 * for any other key.
 */
export function taskForKey(key, maxTasks) {
  if (typeof key !== "string" || !/^[1-9]$/.test(key)) return null;
  const n = Number(key);
  return n <= maxTasks ? n - 1 : null;
}

/**
 * lineMarks says, for each line of a task's code, where the task stands:
 * "ran" for a line taken, "next" for the next one (or "waits" when the
 * task is blocked on it), "" for lines still ahead. The marks are words,
 * shown beside the line, not colours alone.
 */
export function lineMarks(task) {
  return task.lines.map((code, i) => {
    let mark = "";
    if (i < task.next) mark = "ran";
    else if (i === task.next) mark = task.blocked ? "waits" : "next";
    return { code, mark };
  });
}

/** hasLocalV tells whether a task's code has a local v (the update variant's has none: the cache adds one itself). */
export function hasLocalV(task) {
  return task.lines.includes("v++");
}

/** vText is a task's local v as the page shows it. */
export function vText(task) {
  return task.vRead ? `v = ${task.v}` : "v: not read yet";
}

/** taskStatus is one line on where a goroutine stands. */
export function taskStatus(task) {
  if (task.done) return "Finished: its goroutine has returned.";
  if (task.blocked) return `Blocked: ${task.reason}.`;
  return `Ready: its next step is line ${task.next + 1}.`;
}

/** lockText says who holds a mutex and who waits for it. */
export function lockText(lock) {
  const held = lock.holder < 0 ? `${lock.name} is free` : `${lock.name} is held by task ${lock.holder}`;
  const waits = lock.waiters.length ? `; waiting: ${lock.waiters.map((t) => `task ${t}`).join(", ")}` : "; nobody waits";
  return held + waits;
}

/** historyText is one step of the history, numbered from 1. */
export function historyText(step, i) {
  return `${i + 1}. task ${step.task}, line ${step.line + 1}: ${step.code}  (v = ${step.v}, count = ${step.count})`;
}

/** outcomeText says how a finished run ended, or "" while it runs. */
export function outcomeText(state) {
  if (!state.done || !state.result) return "";
  const r = state.result;
  if (r.deadlock) {
    const why = state.tasks.filter((t) => t.blocked).map((t) => t.reason).join("; ");
    return `${state.message} Every unfinished goroutine waits for a lock another one holds: ${why}. Go's runtime would stop the program here.`;
  }
  const lost = r.expected - r.actual;
  const head = `Done in ${r.steps} steps: the count is ${r.actual}, expected ${r.expected}.`;
  if (lost > 0) return `${head} ${lost === 1 ? "An update was" : `${lost} updates were`} lost: a task read the count before another task's Set, then wrote over it.`;
  return `${head} No update was lost.`;
}

/** refusalText is what the page announces when a step is refused. */
export function refusalText(result) {
  return `Step refused: ${result.reason}.`;
}

/**
 * publicState maps a step-mode state onto playground:state's words:
 * "idle" before the first step, "running" while steps remain, "stopped"
 * once the run is over (every task finished, or a deadlock).
 */
export function publicState(state) {
  if (!state) return null;
  if (state.done) return "stopped";
  return state.history.length ? "running" : "idle";
}

/** summaryLesson is playground:summary's lesson: {id, variant, result} with the result's numbers; null until the run is over. */
export function summaryLesson(state) {
  if (!state || !state.done || !state.result) return null;
  const { expected, actual, steps, deadlock } = state.result;
  return { id: LESSON, variant: state.variant, result: { expected, actual, steps, deadlock: deadlock ? 1 : 0 } };
}

/** freeText says what letting Go's scheduler run the variant measured, in this browser. */
export function freeText(res) {
  const share = res.runs ? (100 * res.lost) / res.runs : 0;
  const pct = res.lost === 0 ? "0" : share < 0.1 ? share.toFixed(2) : share.toFixed(1);
  const one = res.procs === 1
    ? " Here GOMAXPROCS is 1: every goroutine shares one thread and none is preempted, so each task's lines almost always run without a switch in between."
    : ` Here GOMAXPROCS is ${res.procs}.`;
  return `Go's scheduler ran ${res.variant} with ${res.tasks} tasks ${res.runs.toLocaleString("en")} times in this browser: ${res.lost.toLocaleString("en")} runs lost an update (${pct} %), the lowest count was ${res.lowest} of ${res.expected}.${one}`;
}
