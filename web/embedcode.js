// "Copy embed code": the snippet a course author pastes into a page, in its
// two forms (a plain iframe, and the <shared-state-playground> component),
// and the copying, which falls back to a selected text and a hint where the
// clipboard is refused (a frame without allow="clipboard-write", an old
// browser, a denied permission).

/** attr escapes a value for a double-quoted HTML attribute in the snippet (it is text the author pastes, never markup in this page). */
export function attr(v) {
  return String(v).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * embedSnippet builds the snippet for the playground at base (its folder's
 * URL, ending in "/") showing the scene of query (a link's query string,
 * without "?"; "" for the defaults).
 */
export function embedSnippet(base, query) {
  const page = new URL(base);
  page.search = "";
  page.hash = "";
  const frame = new URL(page);
  frame.search = `embed=1${query ? `&${query}` : ""}`;
  const script = new URL("embed.js", page);
  return [
    `<iframe src="${attr(frame.href)}" title="Go shared-state playground" width="800" height="600" loading="lazy" allow="clipboard-write" style="border:0;max-width:100%"></iframe>`,
    "",
    "<!-- Or, to drive it from your page's JavaScript: -->",
    `<script type="module" src="${attr(script.href)}"></script>`,
    `<shared-state-playground scene="${attr(query)}"></shared-state-playground>`,
  ].join("\n");
}

/**
 * copyText puts text in out (a read-only textarea) and on the clipboard.
 * Where the clipboard is refused, it selects the text and says, in status,
 * which keys copy it.
 */
export async function copyText(text, out, status, nav = globalThis.navigator) {
  out.value = text;
  out.hidden = false;
  try {
    await nav.clipboard.writeText(text);
    status.textContent = "Copied to the clipboard.";
    return true;
  } catch {
    out.focus();
    out.select();
    status.textContent = "The browser did not let the page copy it: the text is selected, press Ctrl+C (Cmd+C on a Mac) to copy it.";
    return false;
  }
}

/** pageBase is the playground's folder URL, from the page's own address. */
export function pageBase(loc) {
  return new URL("./", loc.href).href;
}
