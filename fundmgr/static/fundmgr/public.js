// The residents' month page: a printed page shows the folded notes and codes too
// (closed <details> print as their summary alone). A static file: the CSP refuses inline.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details:not([open])").forEach(d => {
    d.setAttribute("open", "");
    d.dataset.printOpened = "1";
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("details[data-print-opened]").forEach(d => {
    d.removeAttribute("open");
    delete d.dataset.printOpened;
  });
});
