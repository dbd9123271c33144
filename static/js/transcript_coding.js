// Coding page: turn a browser selection into offsets, open the theme picker, save.
// Offsets sent to the server are UTF-16 units, exactly what the browser counts; the server
// converts them to code points (interviews/text.py), the one place that conversion happens.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  const root = document.getElementById("transcript-text");
  if (!root) return;
  const excerpts = JSON.parse(document.getElementById("excerpt-data").textContent);
  const themeNames = JSON.parse(document.getElementById("theme-names").textContent);
  const tip = document.getElementById("excerpt-tip");

  // ----- offsets -----
  // UTF-16 offset of a DOM point inside the transcript text, or null if it is outside.
  function pointOffset(node, offset) {
    if (!root.contains(node)) return null;
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const turn = el.closest("p.turn");
    if (turn && root.contains(turn)) {
      const range = document.createRange();
      range.setStart(turn, 0);
      range.setEnd(node, offset);
      return Number(turn.dataset.o) + range.toString().length;
    }
    // A point between paragraphs: it stands at the start of the next one.
    const point = document.createRange();
    point.setStart(node, offset);
    for (const t of root.querySelectorAll("p.turn")) {
      if (point.comparePoint(t, 0) >= 0) return Number(t.dataset.o);
    }
    return Number(root.dataset.lengthUtf16);
  }

  function selectionOffsets() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!root.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== root) return null;
    const start = pointOffset(range.startContainer, range.startOffset);
    const end = pointOffset(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return null;
    if (!range.toString().trim()) return null;
    return { start: start, end: end, quote: range.toString() };
  }

  // ----- hover and focus details -----
  function describe(ids) {
    return ids.map(function (id) {
      const x = excerpts[id];
      if (!x) return "";
      const names = x.themes.map(function (t) { return themeNames[t]; }).join(", ");
      return names + " — " + x.coder + (x.memo ? ": " + x.memo : "");
    }).filter(Boolean);
  }
  root.addEventListener("mouseover", function (ev) {
    const span = ev.target.closest("span.x");
    if (!span) { tip.hidden = true; return; }
    const lines = describe(span.dataset.x.split(" "));
    tip.replaceChildren();
    lines.forEach(function (line) { const d = document.createElement("div"); d.textContent = line; tip.appendChild(d); });
    const box = span.getBoundingClientRect();
    tip.style.left = (window.scrollX + box.left) + "px";
    tip.style.top = (window.scrollY + box.bottom + 4) + "px";
    tip.hidden = false;
  });
  root.addEventListener("mouseleave", function () { tip.hidden = true; });

  function flash(id) {
    const spans = root.querySelectorAll('span.x[data-x~="' + id + '"]');
    if (!spans.length) return;
    spans[0].scrollIntoView({ block: "center" });
    spans.forEach(function (s) { s.classList.add("flash"); setTimeout(function () { s.classList.remove("flash"); }, 1600); });
  }
  document.querySelectorAll(".excerpt-goto").forEach(function (b) {
    b.addEventListener("click", function () { flash(b.dataset.id); });
  });
  if (location.hash.startsWith("#x")) flash(location.hash.slice(2));

  // ----- picker -----
  const picker = document.getElementById("picker");
  if (!picker) return;  // reviewers: no coding controls
  const form = document.getElementById("picker-form");
  const codeButton = document.getElementById("code-button");
  const filter = document.getElementById("theme-filter");
  const errors = document.getElementById("picker-errors");
  const createUrl = root.dataset.createUrl;
  let pending = null;

  function showCodeButton() {
    pending = selectionOffsets();
    if (!pending) { codeButton.hidden = true; return; }
    const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    codeButton.style.left = (window.scrollX + rect.right + 6) + "px";
    codeButton.style.top = (window.scrollY + rect.top - 4) + "px";
    codeButton.hidden = false;
  }
  // The button appears once a selection is finished (mouse released, key released), never
  // during a drag, where it would sit under the pointer and stop the selection growing.
  let dragging = false;
  document.addEventListener("mousedown", function (ev) { if (ev.target !== codeButton) dragging = true; });
  document.addEventListener("selectionchange", function () { if (dragging) codeButton.hidden = true; });
  document.addEventListener("mouseup", function () {
    dragging = false;
    if (!picker.open) setTimeout(showCodeButton, 0);
  });
  document.addEventListener("keyup", function (ev) {
    if (!picker.open && ev.key !== "c" && ev.key !== "C") showCodeButton();
  });

  const heading = document.getElementById("picker-heading");
  function openPicker(opts) {
    errors.hidden = true;
    const editing = opts.url !== createUrl;
    heading.textContent = editing ? heading.dataset.edit : heading.dataset.create;
    document.getElementById("picker-edit-help").hidden = !editing;
    form.action = opts.url;
    form.elements.start_utf16.value = opts.start;
    form.elements.end_utf16.value = opts.end;
    form.elements.version.value = opts.version || "";
    form.elements.memo.value = opts.memo || "";
    form.querySelectorAll('input[name="themes"]').forEach(function (box) {
      box.checked = (opts.themes || []).indexOf(Number(box.value)) !== -1;
    });
    document.getElementById("picker-quote").textContent = opts.quote;
    filter.value = "";
    applyFilter();
    codeButton.hidden = true;
    picker.showModal();
    filter.focus();
  }
  function openForSelection() {
    const sel = selectionOffsets() || pending;
    if (!sel) return;
    openPicker({ url: createUrl, start: sel.start, end: sel.end, quote: sel.quote });
  }
  codeButton.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
  codeButton.addEventListener("click", openForSelection);
  document.addEventListener("keydown", function (ev) {
    if (picker.open || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if ((ev.key === "c" || ev.key === "C") && selectionOffsets()) { ev.preventDefault(); openForSelection(); }
  });

  function applyFilter() {
    const q = filter.value.trim().toLowerCase();
    picker.querySelectorAll(".theme-option").forEach(function (opt) {
      opt.hidden = q !== "" && opt.dataset.name.indexOf(q) === -1;
    });
  }
  filter.addEventListener("input", applyFilter);
  // Number keys tick the most-used themes, unless the user is typing in a text field.
  picker.addEventListener("keydown", function (ev) {
    const typing = ev.target.matches("textarea, input[type=text]") ||
      (ev.target.matches("input[type=search]") && ev.target.value);
    if (/^[1-9]$/.test(ev.key) && !typing) {
      const boxes = picker.querySelectorAll('input[name="themes"]');
      const box = boxes[Number(ev.key) - 1];
      if (box) { ev.preventDefault(); box.checked = !box.checked; }
    } else if (ev.key === "Enter" && ev.target === filter) {
      ev.preventDefault();
      const first = Array.from(picker.querySelectorAll(".theme-option")).find(function (o) { return !o.hidden; });
      if (first) { const box = first.querySelector("input"); box.checked = true; box.focus(); }
    }
  });
  document.getElementById("picker-cancel").addEventListener("click", function () { picker.close(); });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
    }).then(function (resp) {
      return resp.json().then(function (body) { return { status: resp.status, body: body }; });
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        const url = new URL(location.href);
        url.hash = "x" + r.body.excerpt.id;
        location.replace(url.toString());
        location.reload();
        return;
      }
      const messages = [];
      Object.values(r.body.errors || {}).forEach(function (list) { messages.push.apply(messages, list); });
      if (r.body.conflict) {
        const names = function (ids) { return ids.map(function (t) { return themeNames[t] || themeLabel(t); }).join(", "); };
        messages.push(errors.dataset.theirs + ": «" + r.body.theirs.quote + "» · " + names(r.body.theirs.themes) + " · " + r.body.theirs.memo);
        messages.push(errors.dataset.yours + ": «" + r.body.mine.quote + "» · " + names(r.body.mine.themes) + " · " + r.body.mine.memo);
      }
      errors.textContent = "";
      messages.filter(Boolean).forEach(function (m) { const d = document.createElement("div"); d.textContent = m; errors.appendChild(d); });
      errors.hidden = false;
    }).catch(function () {
      errors.textContent = "The excerpt could not be saved: the server did not answer.";
      errors.hidden = false;
    });
  });

  function themeLabel(id) {
    const label = picker.querySelector('label[for="theme-' + id + '"]');
    return label ? label.textContent.trim() : String(id);
  }

  // ----- a new theme, from inside the picker -----
  const newTheme = document.getElementById("new-theme");
  const newThemeName = document.getElementById("new-theme-name");
  function addTheme() {
    const name = newThemeName.value.trim();
    if (!name) return;
    const body = new FormData();
    body.append("name", name);
    body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fetch(newTheme.dataset.url, { method: "POST", body: body, headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (resp) { return resp.json().then(function (b) { return { status: resp.status, body: b }; }); })
      .then(function (r) {
        if (r.status !== 201) {
          errors.textContent = Object.values(r.body.errors || {}).flat().map(function (e) { return e.message || e; }).join(" ");
          errors.hidden = false;
          return;
        }
        const t = r.body.theme;
        const wrap = document.createElement("div");
        wrap.className = "form-check theme-option";
        wrap.dataset.name = t.name.toLowerCase();
        const box = document.createElement("input");
        box.className = "form-check-input"; box.type = "checkbox"; box.name = "themes";
        box.value = t.id; box.id = "theme-" + t.id; box.checked = true;
        const label = document.createElement("label");
        label.className = "form-check-label"; label.htmlFor = box.id;
        const swatch = document.createElement("span");
        swatch.className = "swatch"; swatch.style.background = t.colour; swatch.setAttribute("aria-hidden", "true");
        label.append(swatch, " " + t.name);
        wrap.append(box, label);
        document.getElementById("theme-options").appendChild(wrap);
        themeNames[t.id] = t.name;
        newThemeName.value = "";
        errors.hidden = true;
        box.focus();
      });
  }
  document.getElementById("new-theme-add").addEventListener("click", addTheme);
  newThemeName.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); addTheme(); }
  });

  // ----- keyboard selection -----
  // The text is focusable (Tab). Arrow keys move a caret through it, Shift extends the
  // selection, Ctrl or Alt moves by word, Home/End to the line's ends; Enter or C opens the picker.
  const caret = document.getElementById("caret");
  const live = document.getElementById("live");
  const MOVES = {
    ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
  };
  function drawCaret() {
    const sel = window.getSelection();
    if (!sel.rangeCount || !root.contains(sel.focusNode) || document.activeElement !== root) { caret.hidden = true; return; }
    const r = document.createRange();
    r.setStart(sel.focusNode, sel.focusOffset);
    r.collapse(true);
    const rect = r.getClientRects()[0] || r.getBoundingClientRect();
    if (!rect || (!rect.height && !rect.top)) { caret.hidden = true; return; }
    caret.style.left = (window.scrollX + rect.left) + "px";
    caret.style.top = (window.scrollY + rect.top) + "px";
    caret.style.height = (rect.height || 18) + "px";
    caret.hidden = false;
    caret.scrollIntoView({ block: "nearest" });
  }
  root.addEventListener("focus", function () {
    const sel = window.getSelection();
    if (!sel.rangeCount || !root.contains(sel.anchorNode)) {
      const first = root.querySelector("p.turn");
      const walker = first && document.createTreeWalker(first, NodeFilter.SHOW_TEXT);
      const node = walker && walker.nextNode();
      if (node) sel.collapse(node, 0);
    }
    drawCaret();
  });
  root.addEventListener("blur", function () { caret.hidden = true; });
  root.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      if (selectionOffsets()) { ev.preventDefault(); openForSelection(); }
      return;
    }
    const move = MOVES[ev.key];
    if (!move) return;
    ev.preventDefault();
    const granularity = (ev.ctrlKey || ev.altKey) && move[1] === "character" ? "word" : move[1];
    window.getSelection().modify(ev.shiftKey ? "extend" : "move", move[0], granularity);
    drawCaret();
    const sel = selectionOffsets();
    live.textContent = sel ? sel.quote.slice(0, 200) : "";
  });

  // ----- removing: the page's one remove form, pointed at the chosen excerpt -----
  const removeForm = document.getElementById("remove-form");
  document.querySelectorAll(".excerpt-remove").forEach(function (b) {
    b.addEventListener("click", function () {
      removeForm.action = b.dataset.url;
      removeForm.submit();
    });
  });

  // ----- editing -----
  document.querySelectorAll(".excerpt-edit").forEach(function (b) {
    b.addEventListener("click", function () {
      const x = excerpts[b.dataset.id];
      const sel = selectionOffsets();
      openPicker({
        url: b.dataset.url,
        start: sel ? sel.start : x.start_utf16,
        end: sel ? sel.end : x.end_utf16,
        version: x.version,
        memo: x.memo,
        themes: x.themes,
        quote: sel ? sel.quote : b.closest("li").querySelector(".excerpt-goto").textContent,
      });
    });
  });
})();
