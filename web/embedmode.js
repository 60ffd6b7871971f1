// Embed mode (?embed=1) and the embed API's start. boot.js marks the page
// with the "embed" class before it is drawn, and style.css hides the page's
// chrome under it; this module adds what embed mode has that the full page
// does not (the link out to the full page), wires "Copy embed code", and,
// when the page is in a frame, answers the host through EmbedAPI.
//
// The embed API and the embed code are loaded only when needed (a frame,
// "Copy embed code"): a first visit of the full page does not fetch them.

/** isEmbed tells whether a page URL's query asks for embed mode. */
export function isEmbed(search) {
  return new URLSearchParams(search).get("embed") === "1";
}

/** fullPageURL is the page's address without the embed parameters: the same scene, with the page's chrome. */
export function fullPageURL(href) {
  const url = new URL(href);
  url.searchParams.delete("embed");
  url.searchParams.delete("parent");
  url.hash = "";
  return url.href;
}

/**
 * setupEmbed wires the playground pg into the page: the copy button, the
 * link out, and the host API when framed. It returns the EmbedAPI, or null.
 */
export async function setupEmbed(pg, doc = document, win = window) {
  const $ = (id) => doc.getElementById(id);
  const scenesQuery = async () => {
    const res = await pg.validate();
    return res.ok ? res.query : null;
  };
  $("scene-embed").addEventListener("click", async () => {
    const q = await scenesQuery();
    if (q === null) return; // the form shows what to fix
    const { copyText, embedSnippet, pageBase } = await import("./embedcode.js");
    await copyText(embedSnippet(pageBase(win.location), q), $("scene-embed-out"), $("scene-embed-status"));
  });

  if (isEmbed(win.location.search)) {
    const out = $("embed-full");
    out.hidden = false;
    const link = out.querySelector("a");
    link.href = fullPageURL(win.location.href);
    // The link out carries the scene the form holds when it is followed.
    const refresh = async () => {
      const res = JSON.parse(await pg.go.call("sceneParse", JSON.stringify(pg.formScene())));
      if (res.ok) {
        const url = new URL(fullPageURL(win.location.href));
        url.search = res.query;
        link.href = url.href;
      }
    };
    pg.events.addEventListener("state", () => refresh().catch(() => {}));
    // The speed sits with the scene's buttons, outside the form.
    for (const id of ["scene-form", "scene-bar"]) $(id).addEventListener("change", () => refresh().catch(() => {}));
  }

  if (win.parent === win) return null; // not framed: no host to answer
  const { EmbedAPI, parseParentOrigin, watchHeight } = await import("./embedapi.js");
  const parent = parseParentOrigin(win.location.search);
  if (parent.error) {
    // Say so on the page (as text) and answer nobody: a bad ?parent= must
    // not widen who may drive the page.
    const note = $("embed-parent-error");
    note.textContent = `The embedding page's address is wrong, so it cannot control this playground: ${parent.error}.`;
    note.hidden = false;
    console.warn(`playground: ${parent.error}; the postMessage API is off`);
    return null;
  }
  const api = new EmbedAPI({ win, origin: parent.origin, pg });
  watchHeight(api, doc);
  await api.ready();
  return api;
}
