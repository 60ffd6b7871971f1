// boot.js is a classic script, so it runs where the page's modules cannot:
// from a file:// URL, or in a browser too old for modules, WebAssembly or
// workers. It says what is wrong and what to do instead of leaving the page
// on "Loading" forever.
(function () {
  "use strict";
  // Embed mode (?embed=1) is marked before the page is drawn, so that its
  // chrome never flashes in a course page's frame (style.css hides it).
  if (new URLSearchParams(location.search).get("embed") === "1") document.documentElement.classList.add("embed");
  function reason() {
    if (location.protocol === "file:") {
      return ["This page was opened from a file, and browsers do not run its modules or WebAssembly workers from file:// URLs.",
        "Serve it instead: run `make serve` in the repository and open the address it prints."];
    }
    if (!("noModule" in document.createElement("script"))) {
      return ["This browser cannot run JavaScript modules.", "Use a current version of Chrome, Edge, Firefox or Safari."];
    }
    if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiateStreaming !== "function") {
      return ["This browser cannot run WebAssembly.", "Use a current version of Chrome, Edge, Firefox or Safari."];
    }
    if (typeof Worker !== "function") {
      return ["This browser cannot run Web Workers.", "Use a current version of Chrome, Edge, Firefox or Safari."];
    }
    return null;
  }
  var r = reason();
  if (!r) return;
  window.playgroundUnsupported = { message: r[0], hint: r[1] };
  function show() {
    document.getElementById("failure-message").textContent = r[0];
    document.getElementById("failure-hint").textContent = r[1];
    document.getElementById("failure").hidden = false;
    var status = document.getElementById("status");
    status.setAttribute("data-state", "failed");
    document.getElementById("status-text").textContent = "Not running";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", show);
  else show();
})();
