// Small DOM helpers shared by the views.

/** el makes an element with an optional class and text. */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** parts finds a view's elements by their data attribute: parts(root, "lock", ["queue"]).queue is root's [data-lock=queue]. */
export function parts(root, attr, names) {
  return Object.fromEntries(names.map((n) => [n, root.querySelector(`[data-${attr}=${n}]`)]));
}
