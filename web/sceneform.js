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
   * fields are the engine's field specs; container gets the controls;
   * onChange(field) runs on every edit.
   */
  constructor(fields, container, onChange) {
    this.fields = fields;
    this.inputs = new Map(); // field name -> input
    const groups = new Map();
    for (const f of fields) {
      let fs = groups.get(f.group);
      if (!fs) {
        fs = document.createElement("fieldset");
        const lg = document.createElement("legend");
        lg.textContent = GROUPS[f.group] || f.group;
        fs.append(lg);
        groups.set(f.group, fs);
        container.append(fs);
      }
      fs.append(this.#row(f, onChange));
    }
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

  /** showErrors marks each field with its message and returns the general ones. */
  showErrors(errors) {
    const { perField, general } = placeErrors(this.fields, errors);
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
