// Coding page, researchers' part: selecting a passage (mouse, keyboard, touch), the docked theme
// picker, and saving, editing, removing and undoing through the JSON API. transcript_coding.js
// calls PastoCodingPicker(ctx) with the page's shared state and drawing functions.
(function () {
  "use strict";

  window.PastoCodingPicker = function (ctx) {
    const $ = function (id) { return document.getElementById(id); };
    const picker = $("picker");
    if (!picker) return null;  // reviewers: no coding controls
    const gettext = ctx.gettext, interpolate = ctx.interpolate, ngettext = ctx.ngettext;
    const root = ctx.root, text = ctx.text;
    const form = $("picker-form");
    const codeButton = $("code-button");
    const filter = $("theme-filter");
    const errors = $("picker-errors");
    const heading = $("picker-heading");
    const options = $("theme-options");
    const createUrl = root.dataset.createUrl;
    const store = window.localStorage;
    let mode = null;        // what the open picker codes: {kind, id, start, end, quote, range, version}
    let ticked = [];        // theme ids in the order ticked: the first gives the excerpt its colour
    let lastSelection = null;

    function boxes() { return Array.prototype.slice.call(options.querySelectorAll('input[name="themes"]')); }
    function box(id) { return $("theme-" + id); }

    // ----- selection: the page never moves while you select -----
    // The Code button appears once a selection is finished (pointer up, key or touch handles
    // let go), never during a mouse drag, where it would sit under the pointer.
    let pointerDown = false;
    let pending = null;
    document.addEventListener("pointerdown", function (ev) { if (ev.target !== codeButton) pointerDown = true; }, true);
    document.addEventListener("pointerup", function () { pointerDown = false; setTimeout(showCodeButton, 0); }, true);
    document.addEventListener("pointercancel", function () { pointerDown = false; }, true);
    document.addEventListener("selectionchange", function () {
      const sel = text.selection();
      if (sel) lastSelection = sel;
      if (pointerDown) { codeButton.hidden = true; return; }
      setTimeout(showCodeButton, 0);
    });
    function showCodeButton() {
      if (pointerDown) return;
      const sel = text.selection();
      if (!sel || !picker.hidden) { if (picker.hidden) codeButton.hidden = true; return; }
      pending = sel;
      const rects = sel.range.getClientRects();
      const rect = rects[rects.length - 1] || sel.range.getBoundingClientRect();
      codeButton.style.left = Math.min(window.scrollX + rect.right + 6, window.scrollX + document.documentElement.clientWidth - 160) + "px";
      codeButton.style.top = (window.scrollY + rect.top - 4) + "px";
      codeButton.hidden = false;
    }
    codeButton.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    codeButton.addEventListener("click", openForSelection);
    function openForSelection() {
      const sel = text.selection() || pending;
      if (!sel) return;
      openPicker({ kind: "create", start: sel.start, end: sel.end, quote: sel.quote, range: sel.range });
    }
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest("input, textarea, select, #picker")) return;
      if ((ev.key === "c" || ev.key === "C") && text.selection()) { ev.preventDefault(); openForSelection(); }
    });

    // ----- keyboard selection: a caret in the focused text -----
    const caret = $("caret");
    const live = $("live");
    const MOVES = {
      ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
      ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
      Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
    };
    function drawCaret(scroll) {
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
      if (scroll) caret.scrollIntoView({ block: "nearest" });
    }
    let restoring = false;
    // Focus from Tab or the skip link puts a caret at the first line in view. Focus from a
    // click or a drag, or focus given back with a selection in place, changes nothing: the
    // selection and the scroll position stay exactly as they are.
    root.addEventListener("focus", function () {
      if (pointerDown || restoring) return;
      const sel = window.getSelection();
      if (sel.rangeCount && root.contains(sel.anchorNode)) { drawCaret(false); return; }
      const first = text.paras.find(function (p) { return !p.hidden && p.getBoundingClientRect().bottom > 0; });
      if (first && first.firstChild) sel.collapse(first.firstChild, 0);
      drawCaret(false);
    });
    root.addEventListener("blur", function () { caret.hidden = true; });
    root.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        if (text.selection()) { ev.preventDefault(); openForSelection(); }
        return;
      }
      const move = MOVES[ev.key];
      if (!move) return;
      ev.preventDefault();
      const granularity = (ev.ctrlKey || ev.altKey) && move[1] === "character" ? "word" : move[1];
      const s = window.getSelection();
      const before = s.rangeCount ? [s.anchorNode, s.anchorOffset, s.focusNode, s.focusOffset] : null;
      s.modify(ev.shiftKey ? "extend" : "move", move[0], granularity);
      // The caret never leaves the text: a move past its first or last line stops at its edge.
      if (!s.rangeCount || !root.contains(s.focusNode) || text.offsetOf(s.focusNode, s.focusOffset) === null) {
        const edge = move[0] === "forward" ? text.point(text.length, true) : text.point(0, false);
        if (ev.shiftKey && before) s.setBaseAndExtent(before[0], before[1], edge[0], edge[1]);
        else s.collapse(edge[0], edge[1]);
      }
      drawCaret(true);
      const sel = text.selection();
      live.textContent = sel ? sel.quote.slice(0, 200) : "";
    });

    // ----- pins (number keys) and recently used themes, kept in this browser -----
    function load(key, fallback) {
      try { return JSON.parse(store.getItem(key)) || fallback; } catch (e) { return fallback; }
    }
    function save(key, value) { try { store.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } }
    const PINS = "pasto-coop.pins", RECENT = "pasto-coop.recent";
    // {"1": theme id, ...}. Without pins, 1-9 are the first nine codable themes in codebook
    // order: stable, whatever the counts.
    function pins() {
      const saved = load(PINS, {});
      const out = {};
      Object.keys(saved).forEach(function (k) { if (box(saved[k]) && !box(saved[k]).disabled) out[k] = saved[k]; });
      if (Object.keys(out).length) return out;
      boxes().filter(function (b) { return !b.disabled; }).slice(0, 9).forEach(function (b, i) { out[String(i + 1)] = Number(b.value); });
      return out;
    }
    function drawPins() {
      const byTheme = {};
      const p = pins();
      const own = Object.keys(load(PINS, {})).length > 0;
      Object.keys(p).forEach(function (k) { byTheme[p[k]] = k; });
      options.querySelectorAll(".theme-option").forEach(function (opt) {
        const kbd = opt.querySelector(".shortcut");
        const pin = opt.querySelector(".pin");
        if (!kbd) return;
        const key = byTheme[opt.dataset.id];
        kbd.hidden = !key;
        kbd.textContent = key || "";
        const input = opt.querySelector("input");
        if (key) input.setAttribute("aria-keyshortcuts", key); else input.removeAttribute("aria-keyshortcuts");
        pin.setAttribute("aria-pressed", String(own && !!key));
      });
    }
    options.addEventListener("click", function (ev) {
      const pin = ev.target.closest(".pin");
      if (!pin) return;
      const id = Number(pin.closest(".theme-option").dataset.id);
      const saved = load(PINS, {});
      const key = Object.keys(saved).find(function (k) { return saved[k] === id; });
      if (key) delete saved[key];
      else {
        const free = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].find(function (k) { return !(k in saved); });
        if (!free) { showErrors([gettext("All nine number keys are taken: unpin a theme first.")]); return; }
        saved[free] = id;
      }
      save(PINS, saved);
      drawPins();
    });
    function remember(ids) {
      const recent = ids.concat(load(RECENT, []).filter(function (id) { return ids.indexOf(id) === -1; })).slice(0, 6);
      save(RECENT, recent);
    }
    function drawRecent() {
      const wrap = $("recent-themes");
      const recent = load(RECENT, []).filter(function (id) { return box(id) && !box(id).disabled; });
      $("recent-wrap").hidden = !recent.length;
      wrap.replaceChildren.apply(wrap, recent.map(function (id, i) {
        const b = document.createElement("button");
        b.tabIndex = i === 0 ? 0 : -1;
        b.type = "button";
        b.className = "btn btn-sm btn-outline-secondary recent-theme";
        b.dataset.id = id;
        b.textContent = ctx.themes.get(id).name;
        b.setAttribute("aria-pressed", String(box(id).checked));
        return b;
      }));
    }
    $("recent-themes").addEventListener("click", function (ev) {
      const b = ev.target.closest(".recent-theme");
      if (b) toggle(Number(b.dataset.id));
    });

    // ----- the picker: docked beside the text -----
    function toggle(id, on) {
      const b = box(id);
      if (!b || b.disabled) return;
      b.checked = on === undefined ? !b.checked : on;
      noteTick(b);
    }
    function noteTick(b) {
      const id = Number(b.value);
      ticked = ticked.filter(function (t) { return t !== id; });
      if (b.checked) ticked.push(id);
      const recent = $("recent-themes").querySelector('[data-id="' + id + '"]');
      if (recent) recent.setAttribute("aria-pressed", String(b.checked));
    }
    options.addEventListener("change", function (ev) { if (ev.target.name === "themes") noteTick(ev.target); });
    function drawCounts() {
      const counts = new Map();
      ctx.excerpts.forEach(function (x) { x.t.forEach(function (t) { counts.set(t, (counts.get(t) || 0) + 1); }); });
      options.querySelectorAll(".theme-option").forEach(function (opt) {
        const n = counts.get(Number(opt.dataset.id)) || 0;
        opt.querySelector(".count").textContent = n ? "(" + n + ")" : "";
      });
    }
    function applyFilter() {
      const q = filter.value.trim().toLowerCase();
      options.querySelectorAll(".theme-option").forEach(function (opt) {
        opt.hidden = q !== "" && opt.dataset.name.indexOf(q) === -1;
      });
    }
    filter.addEventListener("input", function () { applyFilter(); rove(); });

    // ----- the theme list is one tab stop (roving tabindex) -----
    // Up and Down move between themes, Right to the theme's pin button and Left back, Home and
    // End to the first and last; Space ticks. Only the control last moved to is in the Tab order.
    function rows() {
      return Array.prototype.filter.call(options.querySelectorAll(".theme-option"), function (o) {
        return !o.hidden && !o.querySelector("input").disabled;
      });
    }
    function rovingItems() { return Array.prototype.slice.call(options.querySelectorAll("input, .pin")); }
    function rove(current) {
      const list = rows();
      if (!current || current.closest(".theme-option").hidden) {
        current = rovingItems().find(function (el) { return el.tabIndex === 0 && !el.disabled && !el.closest(".theme-option").hidden; });
      }
      if (!current && list.length) current = list[0].querySelector("input");
      rovingItems().forEach(function (el) { el.tabIndex = el === current ? 0 : -1; });
      return current;
    }
    options.addEventListener("keydown", function (ev) {
      const here = ev.target.closest("input, .pin");
      if (!here || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const list = rows();
      const row = here.closest(".theme-option");
      let i = list.indexOf(row);
      let target = null;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        i = Math.max(0, Math.min(list.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)));
        target = list[i] && list[i].querySelector(here.classList.contains("pin") ? ".pin" : "input");
      } else if (ev.key === "Home" || ev.key === "End") {
        const edge = ev.key === "Home" ? list[0] : list[list.length - 1];
        target = edge && edge.querySelector("input");
      } else if (ev.key === "ArrowRight" && here.matches("input")) {
        target = row.querySelector(".pin");
      } else if (ev.key === "ArrowLeft" && here.classList.contains("pin")) {
        target = row.querySelector("input");
      }
      if (!target) return;
      ev.preventDefault();
      rove(target).focus({ preventScroll: false });
    });
    options.addEventListener("focusin", function (ev) { if (ev.target.matches("input, .pin")) rove(ev.target); });
    const recentThemes = $("recent-themes");
    recentThemes.addEventListener("keydown", function (ev) {
      const all = Array.prototype.slice.call(recentThemes.querySelectorAll(".recent-theme"));
      const i = all.indexOf(ev.target);
      if (i === -1) return;
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[ev.key];
      let j = step === undefined ? (ev.key === "Home" ? 0 : ev.key === "End" ? all.length - 1 : -1) : i + step;
      if (j === -1 && step === undefined) return;
      j = Math.max(0, Math.min(all.length - 1, j));
      ev.preventDefault();
      all.forEach(function (b, k) { b.tabIndex = k === j ? 0 : -1; });
      all[j].focus();
    });
    function showErrors(messages) {
      errors.replaceChildren.apply(errors, messages.filter(Boolean).map(function (m) {
        const d = document.createElement("div");
        d.textContent = m;
        return d;
      }));
      errors.hidden = false;
    }
    function setBounds(start, end) {
      form.elements.start_utf16.value = start;
      form.elements.end_utf16.value = end;
      ctx.mark("pc-pending", [[start, end]]);
    }
    function openPicker(opts) {
      mode = opts;
      lastSelection = null;
      errors.hidden = true;
      const editing = opts.kind === "edit";
      heading.textContent = editing ? heading.dataset.edit : heading.dataset.create;
      form.action = editing ? ctx.urlFor(root.dataset.updateUrl, opts.id) : createUrl;
      setBounds(opts.start, opts.end);
      form.elements.version.value = opts.version || "";
      form.elements.memo.value = opts.memo || "";
      ticked = (opts.themes || []).slice();
      boxes().forEach(function (b) { b.checked = ticked.indexOf(Number(b.value)) !== -1; });
      $("picker-quote").textContent = opts.quote;
      $("picker-bounds").hidden = !editing;
      $("bounds-compare").hidden = true;
      $("in-vivo").hidden = editing;
      $("in-vivo-help").hidden = editing;
      filter.value = "";
      applyFilter();
      rove(boxes().find(function (b) { return b.checked; }) || null);
      drawCounts();
      drawPins();
      drawRecent();
      codeButton.hidden = true;
      picker.hidden = false;
      document.body.classList.add("picker-open");
      filter.focus({ preventScroll: true });
    }
    // Escape or Cancel: the picker closes and the text selection comes back as it was. After a
    // save, focus and the caret go to the end of the saved excerpt (`end`), to go on from there.
    function closePicker(keepSelection, end) {
      const was = mode;
      mode = null;
      picker.hidden = true;
      document.body.classList.remove("picker-open");
      ctx.mark("pc-pending", []);
      restoring = true;
      root.focus({ preventScroll: true });
      restoring = false;
      const sel = window.getSelection();
      if (keepSelection && was && was.range) {
        sel.removeAllRanges();
        sel.addRange(was.range);
      } else if (!keepSelection && was) {
        const point = text.point(end === undefined ? was.end : end, true);
        sel.collapse(point[0], point[1]);
      }
      live.textContent = "";
      drawCaret(false);  // the page never moves on its own
    }
    $("picker-cancel").addEventListener("click", function () { closePicker(true); });
    $("picker-close").addEventListener("click", function () { closePicker(true); });
    picker.addEventListener("keydown", function (ev) {
      const typing = ev.target.matches("textarea, input[type=text]") ||
        (ev.target.matches("input[type=search]") && ev.target.value);
      if (ev.key === "Escape") {
        ev.preventDefault();
        closePicker(true);
      } else if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        submit();
      } else if (/^[1-9]$/.test(ev.key) && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        const id = pins()[ev.key];
        if (id) { ev.preventDefault(); toggle(id); }
      } else if (ev.key === "Enter" && ev.target === filter) {
        ev.preventDefault();
        const first = Array.prototype.find.call(options.querySelectorAll(".theme-option"), function (o) {
          return !o.hidden && !o.querySelector("input").disabled;
        });
        if (first) { const b = first.querySelector("input"); toggle(Number(b.value), true); rove(b).focus({ preventScroll: true }); }
      }
    });

    // ----- editing boundaries: explicit, showing the old and the new quote -----
    $("use-selection").addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    $("use-selection").addEventListener("click", function () {
      const sel = text.selection() || lastSelection;
      if (!sel) { showErrors([gettext("Select the new passage in the text first, then press this button again.")]); return; }
      errors.hidden = true;
      setBounds(sel.start, sel.end);
      $("bounds-old").textContent = mode.quote;
      $("bounds-new").textContent = sel.quote;
      $("bounds-compare").hidden = false;
    });
    $("bounds-reset").addEventListener("click", function () {
      setBounds(mode.start, mode.end);
      $("bounds-compare").hidden = true;
    });

    // ----- saving -----
    function formBody(extra) {
      const body = new FormData(form);
      body.delete("themes");
      const checked = boxes().filter(function (b) { return b.checked; }).map(function (b) { return Number(b.value); });
      ticked.filter(function (id) { return checked.indexOf(id) !== -1; })
        .concat(checked.filter(function (id) { return ticked.indexOf(id) === -1; }))
        .forEach(function (id) { body.append("themes", id); });
      Object.keys(extra || {}).forEach(function (k) { body.set(k, extra[k]); });
      return body;
    }
    let busy = false;
    function submit(extra) {
      if (busy || !mode) return;
      busy = true;
      picker.setAttribute("aria-busy", "true");
      const editing = mode.kind === "edit";
      ctx.api(form.action, formBody(extra)).then(function (r) {
        busy = false;
        picker.removeAttribute("aria-busy");
        if (r.status === 200 || r.status === 201) {
          if (r.body.theme) addTheme(r.body.theme, false);
          const saved = r.body.excerpt;
          ctx.upsert(saved);
          remember(saved.t);
          closePicker(false, saved.e);
          const names = saved.t.map(function (t) { return ctx.themes.has(t) ? ctx.themes.get(t).name : "?"; }).join(", ");
          ctx.say(interpolate(editing ? gettext("Excerpt updated: %s") : gettext("Excerpt saved: %s"), [names]));
          return;
        }
        const messages = ctx.problems(r);
        if (r.body.conflict) {
          const names = function (ids) { return ids.map(function (t) { return ctx.themes.has(t) ? ctx.themes.get(t).name : "?"; }).join(", "); };
          const theirs = r.body.theirs, mine = r.body.mine;
          messages.push(errors.dataset.theirs + ": «" + theirs.q + "» · " + names(theirs.t) + " · " + (theirs.m || ""));
          messages.push(errors.dataset.yours + ": «" + mine.q + "» · " + names(mine.t) + " · " + (mine.m || ""));
          messages.push(gettext("Save again to replace theirs with yours, or Cancel to keep theirs."));
          ctx.upsert(theirs);
          form.elements.version.value = theirs.v;  // a second Save, after seeing both, is deliberate
        }
        showErrors(messages);
        ctx.say(messages[0], { error: true });
      });
    }
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    $("in-vivo").addEventListener("click", function () { submit({ in_vivo: "on" }); });

    // ----- a new theme, under a chosen parent -----
    const newName = $("new-theme-name");
    const newParent = $("new-theme-parent");
    function addTheme(t, tick) {
      if (ctx.themes.has(t.id)) return;
      const parent = t.parent ? ctx.themes.get(t.parent) : null;
      t.depth = parent ? parent.depth + 1 : 0;
      ctx.themes.set(t.id, t);
      const row = document.createElement("div");
      row.className = "theme-option";
      row.dataset.id = t.id;
      row.dataset.parent = t.parent || "";
      row.dataset.depth = t.depth;
      row.dataset.name = t.name.toLowerCase();
      row.style.setProperty("--depth", t.depth);
      const input = document.createElement("input");
      input.className = "form-check-input";
      input.type = "checkbox";
      input.name = "themes";
      input.value = t.id;
      input.id = "theme-" + t.id;
      const label = document.createElement("label");
      label.className = "form-check-label";
      label.htmlFor = input.id;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = t.colour;
      swatch.setAttribute("aria-hidden", "true");
      label.append(swatch, " " + t.name);
      const count = document.createElement("span");
      count.className = "count small text-body-secondary";
      const kbd = document.createElement("kbd");
      kbd.className = "shortcut";
      kbd.hidden = true;
      kbd.setAttribute("aria-hidden", "true");
      const pin = document.createElement("button");
      pin.type = "button";
      pin.className = "btn btn-sm pin";
      pin.textContent = "#";
      pin.setAttribute("aria-pressed", "false");
      pin.setAttribute("aria-label", interpolate(gettext("Pin «%s» to a number key"), [t.name]));
      row.append(input, " ", label, " ", count, kbd, pin);
      // Last under its parent: after the parent's last descendant.
      let after = t.parent ? options.querySelector('.theme-option[data-id="' + t.parent + '"]') : null;
      const rows = Array.prototype.slice.call(options.querySelectorAll(".theme-option"));
      if (after) {
        let i = rows.indexOf(after) + 1;
        while (i < rows.length && Number(rows[i].dataset.depth) > Number(after.dataset.depth)) after = rows[i++];
        after.after(row);
      } else {
        options.append(row);
      }
      const label2 = "\u2003".repeat(t.depth) + t.name;
      ["filter-theme", "speaker-theme", "new-theme-parent"].forEach(function (id) {
        const select = $(id);
        if (select) select.append(new Option(label2, t.id));
      });
      if (tick) toggle(t.id, true);
      rove();
      drawPins();
    }
    function createTheme() {
      const name = newName.value.trim();
      if (!name) { showErrors([gettext("Type a name for the new theme.")]); return; }
      ctx.api(root.dataset.themeUrl, { name: name, parent: newParent.value }).then(function (r) {
        if (r.status !== 201) { showErrors(ctx.problems(r)); return; }
        addTheme(r.body.theme, true);
        newName.value = "";
        errors.hidden = true;
        rove(box(r.body.theme.id)).focus({ preventScroll: true });
      });
    }
    $("new-theme-add").addEventListener("click", createTheme);
    newName.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); createTheme(); } });

    // ----- removing, with undo -----
    function remove(x) {
      const quote = ctx.quoteOf(x);
      ctx.api(ctx.urlFor(root.dataset.deleteUrl, x.id), {}).then(function (r) {
        if (r.status !== 200) { ctx.say(ctx.problems(r)[0], { error: true }); return; }
        ctx.drop(x.id);
        const short = quote.length > 60 ? quote.slice(0, 59) + "…" : quote;
        ctx.say(interpolate(gettext("Excerpt «%s» removed."), [short]), { action: [gettext("Undo"), function () { restore(r.body.undo); }] });
      });
    }
    function restore(url) {
      ctx.api(url, {}).then(function (r) {
        if (r.status !== 200) { ctx.say(ctx.problems(r)[0], { error: true }); return; }
        ctx.upsert(r.body.excerpt);
        ctx.say(gettext("Excerpt restored."));
      });
    }
    function edit(x) {
      const sel = text.selection();
      openPicker({ kind: "edit", id: x.id, start: x.s, end: x.e, version: x.v, memo: x.m || "",
                   themes: x.t.slice(), quote: ctx.quoteOf(x), range: sel ? sel.range : null });
    }

    // ----- code every turn of one speaker, with undo -----
    const speakerButton = $("speaker-code-button");
    if (speakerButton) {
      speakerButton.addEventListener("click", function () {
        const speaker = ctx.data.speakers[Number($("filter-speaker").value)];
        const theme = $("speaker-theme").value;
        ctx.api(speakerButton.dataset.url, { speaker: speaker, theme: theme }).then(function (r) {
          if (r.status !== 201) { ctx.say(ctx.problems(r)[0], { error: true }); return; }
          r.body.excerpts.forEach(ctx.upsert);
          const name = ctx.themes.get(Number(theme)).name;
          const message = interpolate(ngettext("%s turn of %s coded with «%s»", "%s turns of %s coded with «%s»", r.body.excerpts.length),
                              [r.body.excerpts.length, speaker, name])
            + (r.body.skipped ? "; " + interpolate(ngettext("%s already had it", "%s already had it", r.body.skipped), [r.body.skipped]) : "") + ".";
          ctx.say(message, { action: [gettext("Undo"), function () { undoRun(r.body.undo); }] });
        });
      });
    }
    function undoRun(url) {
      ctx.api(url, {}).then(function (r) {
        if (r.status !== 200) { ctx.say(ctx.problems(r)[0], { error: true }); return; }
        r.body.removed.forEach(ctx.drop);
        let message = interpolate(ngettext("Undone: %s excerpt removed.", "Undone: %s excerpts removed.", r.body.removed.length), [r.body.removed.length]);
        if (r.body.kept) message += " " + interpolate(ngettext("%s kept, because someone changed it since.", "%s kept, because someone changed them since.", r.body.kept), [r.body.kept]);
        ctx.say(message);
      });
    }

    drawPins();
    rove();
    return { edit: edit, remove: remove, drawCaret: drawCaret };
  };
})();
