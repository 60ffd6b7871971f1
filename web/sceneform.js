// SceneForm is the scene's settings: one control per field of the engine's
// field specs (engine.Fields), grouped, labelled and described. It reads the
// form into a scene and shows the engine's messages beside their fields; it
// judges nothing itself: validation happens in one place, the Go engine
// (Scene.Validate), for the form, the URL and the bindings alike.
//
// readScene and placeErrors are its logic without the DOM (jstest/ tests
// them under Node).

const GROUPS = {
  tasks: "Goroutines",
  cache: "Cache",
  pool: "Pool",
  time: "Time",
};

// The groups open at first. Where the settings sit in a column beside the
// views (a wide screen), the two a learner changes first; where they sit
// between the timeline and the views (a phone, an 800 px frame), none, so
// that the views stay close under the timeline. Nothing is remembered: a
// reload shows the same, and a field with an error opens its group.
const OPEN_WIDE = new Set(["tasks", "cache"]);
// Wide: where style.css's .stage puts the settings in a column of their own.
export const WIDE_QUERY = "(min-width: 64rem)";

/** openAtFirst tells whether a group of settings starts open, on a wide screen or not. */
export function openAtFirst(group, wide) {
  return wide && OPEN_WIDE.has(group);
}

/** groupsWithErrors returns the groups of the fields that have a message in perField (see placeErrors). */
export function groupsWithErrors(fields, perField) {
  return new Set(fields.filter((f) => perField.has(f.name)).map((f) => f.group));
}

/** valueAt returns the value of a dotted field name ("mix.get") in a scene, or undefined. */
export function valueAt(scene, name) {
  return name.split(".").reduce((o, k) => (o ? o[k] : undefined), scene);
}

/**
 * readScene builds a scene object from the fields' raw texts (raw(name)
 * returns one). A number field's empty text becomes null and an unparseable
 * one stays the text it is, for Go to say why; a choice stays its text.
 */
export function readScene(fields, raw) {
  const scene = {};
  for (const f of fields) {
    const text = raw(f.name);
    let v = text;
    if (f.kind !== "choice") v = text.trim() === "" ? null : Number(text);
    if (typeof v === "number" && !Number.isFinite(v)) v = text; // Go says why
    const path = f.name.split(".");
    let o = scene;
    for (let i = 0; i < path.length - 1; i++) o = o[path[i]] ??= {};
    o[path[path.length - 1]] = v;
  }
  return scene;
}

/**
 * placeErrors sorts the engine's field errors ({field, message}) into a
 * message per form field (a mix.* field shows the message about the whole
 * mix) and the general ones, which name no field of the form.
 */
export function placeErrors(fields, errors) {
  const byField = new Map(errors.map((e) => [e.field, e.message]));
  const names = new Set(fields.map((f) => f.name));
  const perField = new Map();
  for (const f of fields) {
    let msg = byField.get(f.name);
    if (!msg && f.name.startsWith("mix.") && byField.has("mix")) msg = byField.get("mix");
    if (msg) perField.set(f.name, msg);
  }
  const general = errors.filter((e) => !names.has(e.field) && e.field !== "mix").map((e) => e.message);
  if (byField.has("mix")) general.push(byField.get("mix"));
  return { perField, general };
}

/**
 * errorSummary is the line above the form: how many fields need fixing and
 * which, by label and name ("Goroutines (tasks)"), then the messages that
 * belong to no single field, then notes (the link's ignored parameters).
 */
export function errorSummary(fields, errors, notes = []) {
  const { general } = placeErrors(fields, errors);
  const byName = new Map(fields.map((f) => [f.name, f]));
  const named = [...new Set(errors.map((e) => e.field).filter((n) => byName.has(n) || n === "mix"))];
  const names = named.map((n) => (n === "mix" ? "the operation mix" : byName.get(n).label));
  const out = [];
  if (errors.length) {
    const n = named.length;
    out.push(n ? `The scene cannot run: ${n} field${n > 1 ? "s need" : " needs"} fixing: ${names.join(", ")}.` : "The scene cannot run.");
  }
  for (const m of [...general, ...notes.map((e) => e.message)]) {
    const sentence = m.charAt(0).toUpperCase() + m.slice(1);
    out.push(/[.!?]$/.test(sentence) ? sentence : `${sentence}.`);
  }
  return out.join(" ");
}

/** fieldLabel is a field's label with its unit. */
export function fieldLabel(f) {
  if (!f.unit) return f.label;
  return `${f.label} (${f.unit === "x" ? "×" : f.unit})`;
}

export class SceneForm {
  /**
   * fields are the engine's field specs; container gets the controls, one
   * collapsible section (a <details>) per group; onChange(field) runs on
   * every edit. elsewhere maps a field's name to the element that takes it
   * instead (the speed sits with the scene's buttons, by the timeline).
   */
  constructor(fields, container, onChange, elsewhere = {}) {
    this.fields = fields;
    this.inputs = new Map(); // field name -> input
    this.groups = new Map(); // group -> its <details>
    this.away = new Set(Object.keys(elsewhere)); // fields in no group
    const wide = matchMedia(WIDE_QUERY).matches;
    for (const f of fields) {
      const row = this.#row(f, onChange);
      if (elsewhere[f.name]) {
        elsewhere[f.name].append(row);
        continue;
      }
      let box = this.groups.get(f.group)?.querySelector(".group-fields");
      if (!box) box = this.#group(f.group, container, wide);
      box.append(row);
    }
  }

  // group makes the section of one group: a <details> whose summary is
  // its heading, so that Enter or Space on it (or a click) folds it.
  #group(group, container, wide) {
    const d = document.createElement("details");
    d.className = "settings-group";
    d.dataset.group = group;
    d.open = openAtFirst(group, wide);
    const sum = document.createElement("summary");
    const h = document.createElement("h4");
    h.id = `group-${group}`;
    h.textContent = GROUPS[group] || group;
    sum.append(h);
    const box = document.createElement("div");
    box.className = "group-fields";
    box.setAttribute("role", "group");
    box.setAttribute("aria-labelledby", h.id);
    d.append(sum, box);
    this.groups.set(group, d);
    container.append(d);
    return box;
  }

  #row(f, onChange) {
    const id = `f-${f.name.replace(".", "-")}`;
    const row = document.createElement("div");
    row.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = fieldLabel(f);
    let input;
    if (f.kind === "choice") {
      input = document.createElement("select");
      for (const o of f.options) {
        const opt = document.createElement("option");
        opt.value = o;
        opt.textContent = o;
        input.append(opt);
      }
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.min = f.min;
      input.max = f.max;
      input.step = f.step || (f.kind === "int" ? 1 : "any");
      input.inputMode = f.kind === "int" ? "numeric" : "decimal";
    }
    input.id = id;
    input.name = f.name;
    const help = document.createElement("small");
    help.id = `${id}-help`;
    help.className = "help";
    help.textContent = f.help;
    const err = document.createElement("small");
    err.id = `${id}-error`;
    err.className = "error";
    err.hidden = true;
    input.setAttribute("aria-describedby", `${help.id} ${err.id}`);
    input.addEventListener("input", () => onChange(f));
    input.addEventListener("change", () => onChange(f));
    row.append(label, input, help, err);
    this.inputs.set(f.name, input);
    return row;
  }

  has(name) {
    return this.inputs.has(name);
  }

  /** value returns a field's text as typed. */
  value(name) {
    return this.inputs.get(name).value;
  }

  setValue(name, text) {
    this.inputs.get(name).value = text;
  }

  /** setScene fills the form with a scene's values. */
  setScene(scene) {
    for (const f of this.fields) {
      const v = valueAt(scene, f.name);
      if (v !== undefined) this.setValue(f.name, String(v));
    }
  }

  /** scene reads the form into a scene object (see readScene). */
  scene() {
    return readScene(this.fields, (name) => this.value(name));
  }

  /** showErrors marks each field with its message, opens the groups that have one, and returns the general ones. */
  showErrors(errors) {
    const { perField, general } = placeErrors(this.fields, errors);
    for (const g of groupsWithErrors(this.fields.filter((f) => !this.away.has(f.name)), perField)) {
      const d = this.groups.get(g);
      if (d) d.open = true;
    }
    for (const [name, input] of this.inputs) {
      const err = document.getElementById(`${input.id}-error`);
      const msg = perField.get(name);
      err.hidden = !msg;
      err.textContent = msg || "";
      if (msg) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    return general;
  }
}
