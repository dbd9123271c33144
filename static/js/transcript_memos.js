// Coding page: the transcript's memos in a side tab, and annotations (memos pinned to a passage
// without coding it) as marks in the margin right of the text. Everything here loads after the
// page has drawn its coding and the browser is idle, from the memos app's URLs, so the coding
// page pays nothing for it.
(function () {
  "use strict";

  const gettext = window.gettext || function (s) { return s; };
  const $ = function (id) { return document.getElementById(id); };
  const root = $("transcript-text");
  const marks = $("annotation-marks");
  const tab = $("memo-tab");
  if (!root || !marks || !tab || !window.CodingText) return;
  const text = new window.CodingText(root);
  const wrap = $("text-wrap");
  const toggle = $("memo-tab-toggle");
  const tabBody = $("memo-tab-body");
  const form = $("annotate-form");
  let annotations = [];
  let loaded = false;

  // ----- margin marks -----
  function drawMarks() {
    wrap.classList.toggle("has-annotations", annotations.length > 0);
    // Nothing to place: no layout read (on a long transcript a forced layout costs a frame or
    // more, just as the coder starts selecting).
    if (!annotations.length && !marks.firstChild) return;
    const top = wrap.getBoundingClientRect().top;
    marks.replaceChildren.apply(marks, annotations.map(function (a) {
      const r = text.range(a.s, a.e).getBoundingClientRect();
      const mark = document.createElement("button");
      mark.type = "button";
      mark.className = "annotation-mark" + (a.review ? " review" : "");
      mark.style.top = (r.top - top) + "px";
      mark.textContent = "✎";
      // textContent and title only: a memo's words never become markup here.
      mark.title = a.title + (a.text ? "\n" + a.text : "");
      mark.setAttribute("aria-label", gettext("Annotation") + ": " + a.title);
      mark.dataset.id = a.id;
      return mark;
    }));
  }
  function loadMarks() {
    fetch(marks.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.json() : { annotations: [] }; })
      .then(function (body) { annotations = body.annotations || []; drawMarks(); })
      .catch(function () { /* no network: the page works without its annotations */ });
  }
  let frame = 0;
  window.addEventListener("resize", function () {
    if (!frame) frame = requestAnimationFrame(function () { frame = 0; drawMarks(); });
  });
  marks.addEventListener("click", function (ev) {
    const mark = ev.target.closest(".annotation-mark");
    if (mark) openTab(Number(mark.dataset.id));
  });

  // ----- the memo tab -----
  function loadTab(focusId) {
    return fetch(tab.dataset.panelUrl, { credentials: "same-origin" })
      .then(function (resp) { return resp.ok ? resp.text() : Promise.reject(resp.status); })
      .then(function (html) {
        // Our own server's fragment: memo bodies are sanitised there (memos/formatting.py).
        tabBody.innerHTML = html;
        loaded = true;
        const item = focusId ? $("panel-memo-" + focusId) : null;
        if (item) { item.classList.add("bg-warning-subtle"); item.scrollIntoView({ block: "nearest" }); }
      })
      .catch(function () { tabBody.textContent = gettext("The memos could not be loaded."); });
  }
  function openTab(focusId) {
    tab.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    if (!loaded || focusId) loadTab(focusId);
    $("memo-tab-heading").focus({ preventScroll: true });
  }
  function closeTab() {
    tab.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
  }
  toggle.addEventListener("click", function () { if (tab.hidden) openTab(); else closeTab(); });
  $("memo-tab-close").addEventListener("click", closeTab);

  // ----- annotate the selection without coding it -----
  let lastSelection = null;
  document.addEventListener("selectionchange", function () {
    const sel = text.selection();
    if (sel) lastSelection = sel;
  });
  const button = $("annotate-button");
  if (button && form) {
    const errors = $("annotate-errors");
    button.addEventListener("click", function () {
      const sel = text.selection() || lastSelection;
      if (!sel) {
        errors.textContent = gettext("Select a passage of the text first.");
        errors.hidden = false;
        form.hidden = false;
        openTab();
        return;
      }
      form.elements.start_utf16.value = sel.start;
      form.elements.end_utf16.value = sel.end;
      $("annotate-quote").textContent = "«" + sel.quote + "»";
      errors.hidden = true;
      form.hidden = false;
      openTab();
      $("annotate-body").focus({ preventScroll: true });
    });
    $("annotate-cancel").addEventListener("click", function () { form.hidden = true; });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!form.elements.start_utf16.value) return;
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) { return { status: resp.status, body: body }; });
      }).then(function (result) {
        if (result.status !== 201) {
          const all = result.body.errors ? Object.values(result.body.errors).flat() : [gettext("The annotation was not saved.")];
          errors.textContent = all.join(" ");
          errors.hidden = false;
          return;
        }
        annotations.push(result.body.annotation);
        annotations.sort(function (a, b) { return a.s - b.s; });
        drawMarks();
        form.reset();
        form.hidden = true;
        loadTab(result.body.annotation.id);
        const status = $("status");
        if (status) status.textContent = result.body.message;
      }).catch(function () {
        errors.textContent = gettext("No connection: the annotation was not saved. Your text is kept.");
        errors.hidden = false;
      });
    });
  }

  // ----- comment on the selection (reviewers too): the comment form, with the passage -----
  const commentButton = $("comment-button");
  if (commentButton) {
    commentButton.addEventListener("click", function () {
      const sel = text.selection() || lastSelection;
      if (!sel) {
        const status = $("status");
        if (status) status.textContent = gettext("Select a passage of the text first.");
        return;
      }
      window.location.assign(commentButton.dataset.url + "&start_utf16=" + sel.start + "&end_utf16=" + sel.end);
    });
  }

  // The marks wait for the browser's first idle moment (at most a second), once the coding
  // script has drawn the highlights: their request and layout never delay the first selection.
  if (window.requestIdleCallback) window.requestIdleCallback(loadMarks, { timeout: 1000 });
  else window.setTimeout(loadMarks, 200);
})();
