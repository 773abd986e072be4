// Polls a job's status URL (data-poll on this script's tag) and reloads the page when the
// job is done: statements being drawn, imports being checked or recorded. A static file,
// not an inline script, so the Content-Security-Policy can refuse every inline script.
(function () {
  const me = document.currentScript;
  const url = me.dataset.poll;
  const every = parseInt(me.dataset.every || "1500", 10);
  const kind = me.dataset.kind;
  function poll() {
    fetch(url).then(r => r.json()).then(d => {
      if (kind === "import") {
        document.getElementById("job-progress").value = d.percent;
        document.getElementById("job-state").textContent = d.state_label + (d.total ? " " + d.done + " / " + d.total : "");
        if (d.finished) { window.location.reload(); } else { setTimeout(poll, every); }
      } else {
        document.getElementById("st-state").textContent = d.state_label + (d.error ? ": " + d.error : "");
        if (d.state === "done") {
          // Show the download link and start the download once; the page stays, with the link.
          const ready = document.getElementById("st-ready");
          const bar = document.getElementById("st-progress");
          const waiting = document.getElementById("st-waiting");
          if (ready) { ready.hidden = false; }
          if (bar) { bar.remove(); }
          if (waiting) { waiting.hidden = true; }
          const link = document.getElementById("st-download");
          if (link) { window.location.assign(link.href); }
        } else if (d.state !== "failed") { setTimeout(poll, every); }
      }
    }).catch(() => setTimeout(poll, 3000));
  }
  poll();
})();
