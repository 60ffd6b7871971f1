// spec loads the scene spec from the real Go side: it runs the built
// web/playground.wasm under Node (with the toolchain's wasm_exec.js) and
// calls its sceneSpec binding, as the page does. The tests build their
// records and read their fields with it, so they name nothing the engine
// defines either. `make test-js` builds the wasm first.
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

async function load() {
  const wasm = path.join(root, "web", "playground.wasm");
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run \`make build\` (or \`make test-js\`) first`);
  const exec = process.env.WASM_EXEC || path.join(execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim(), "lib", "wasm", "wasm_exec.js");
  await import(exec);
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(readFileSync(wasm), go.importObject);
  go.run(instance);
  const text = globalThis.playground.sceneSpec();
  if (text instanceof Error) throw text;
  return JSON.parse(text);
}

export const spec = await load();

/**
 * records encodes events ({kind: "lockWait", t, dur, flags, task, key, aux};
 * kind by name, missing numbers 0, key -1) into an ArrayBuffer of records
 * laid out as the spec says.
 */
export function records(...events) {
  const { record: R, eventSize } = spec;
  const buf = new ArrayBuffer(events.length * eventSize);
  const v = new DataView(buf);
  events.forEach((e, i) => {
    const kind = spec.kinds.indexOf(e.kind);
    if (kind < 0) throw new Error(`no kind ${e.kind}`);
    const o = i * eventSize;
    v.setFloat64(o + R.t, e.t ?? 0, true);
    v.setFloat64(o + R.dur, e.dur ?? 0, true);
    v.setUint16(o + R.kind, kind, true);
    v.setUint16(o + R.flags, e.flags ?? 0, true);
    v.setInt32(o + R.task, e.task ?? -2, true);
    v.setInt32(o + R.key, e.key ?? -1, true);
    v.setInt32(o + R.aux, e.aux ?? 0, true);
  });
  return buf;
}

/** lockFlags is a lock event's flags: shared or not, and the lock op by name. */
export function lockFlags(shared, op) {
  const code = spec.lockOps.indexOf(op);
  if (code < 0) throw new Error(`no lock op ${op}`);
  return (shared ? spec.flags.shared : 0) | (code << spec.flags.lockOpShift);
}
