// Coding page: highlights, stripes and the side panel drawn from the page's data; selection,
// the docked theme picker and every coding action through the JSON API, never a reload.
// Offsets are UTF-16 units throughout (coding_text.js); endpoints come from data-* attributes.
(function () {
  "use strict";
  const root = document.getElementById("transcript-text");
  if (!root) return;
  // Django's JavaScript catalogue (base.html loads it first); plain English if it is missing.
  const gettext = window.gettext || function (s) { return s; };
  const interpolate = window.interpolate || function (s, args) { let i = 0; return s.replace(/%s/g, function () { return args[i++]; }); };
  const ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  const $ = function (id) { return document.getElementById(id); };

  const data = JSON.parse($("coding-data").textContent);
  const text = new window.CodingText(root);
  const themes = new Map(data.themes.map(function (t) { return [t.id, t]; }));
  const coders = data.coders;
  // Rows [id, start, end, theme ids, coder id, version] (coding/highlight.py), made into the
  // objects the JSON API answers with: {id, s, e, t, c, v, m (memo), r (old quote, if flagged)}.
  const memos = data.excerpts.memos, reviews = data.excerpts.reviews;
  const excerpts = new Map(data.excerpts.rows.map(function (r) {
    const x = { id: r[0], s: r[1], e: r[2], t: r[3], c: r[4], v: r[5] };
    if (memos[x.id]) x.m = memos[x.id];
    if (Object.prototype.hasOwnProperty.call(reviews, x.id)) x.r = reviews[x.id];
    return [x.id, x];
  }));
  const idToken = root.dataset.idToken;
  const urlFor = function (template, id) { return template.replace(idToken, String(id)); };
  const filters = { theme: null, coder: data.coder, speaker: null };
  const HL = !!(window.CSS && CSS.highlights && typeof window.Highlight === "function");
  const narrow = window.matchMedia("(max-width: 767.98px)");
  let selectedId = null;

  // ----- what is shown: filters -----
  // A theme's colour darkened to 3:1 on white (coding/contrast.py): stripes, borders, underlines.
  function colourOf(x) { const t = themes.get(x.t[0]); return t ? t.ink || t.colour : "#6c757d"; }
  function shown(x) {
    if (filters.theme !== null && x.t.indexOf(filters.theme) === -1) return false;
    if (filters.coder !== null && x.c !== filters.coder) return false;
    if (filters.speaker !== null && text.speakerAt(x.s) !== filters.speaker) return false;
    return true;
  }
  function quoteOf(x) { return x.r !== undefined ? x.r : text.range(x.s, x.e).toString(); }
  function describe(x) {
    const names = x.t.map(function (t) { return themes.has(t) ? themes.get(t).name : "?"; }).join(", ");
    return names + " — " + (coders[x.c] || "?") + (x.m ? ": " + x.m : "");
  }

  // ----- highlights: CSS Custom Highlight API, one Highlight per first-chosen theme -----
  let sheet = null;  // one ::highlight() rule per theme colour, made when first needed
  const drawn = new Map();  // excerpt id -> [Highlight, StaticRange]
  function highlightFor(themeId) {
    const name = "pc-t" + themeId;
    let h = CSS.highlights.get(name);
    if (!h) {
      h = new Highlight();
      CSS.highlights.set(name, h);
      const t = themes.get(themeId);
      const colour = t && /^#[0-9a-fA-F]{6}$/.test(t.colour) ? t.colour : "#888888";
      const ink = t && /^#[0-9a-fA-F]{6}$/.test(t.ink || "") ? t.ink : "#6c757d";
      if (!sheet) {
        sheet = new CSSStyleSheet();
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
      }
      // The tint is light, so the text on it stays legible; the underline in the darkened
      // colour is what shows the highlight at 3:1, whatever colour the theme has.
      sheet.insertRule("::highlight(" + name + ") { background-color: " + colour + "55; text-decoration: underline 2px " + ink + "; }", sheet.cssRules.length);
    }
    return h;
  }
  function undraw(id) {
    const d = drawn.get(id);
    if (d) { d[0].delete(d[1]); drawn.delete(id); }
  }
  function draw(x) {
    undraw(x.id);
    if (!HL || !shown(x) || !x.t.length) return;
    const r = text.staticRange(x.s, x.e);
    const h = highlightFor(x.t[0]);
    h.add(r);
    drawn.set(x.id, [h, r]);
  }
  function drawAll() {
    if (!HL) return;
    drawn.forEach(function (d) { d[0].clear(); });
    drawn.clear();
    excerpts.forEach(draw);
  }
  // A highlight of its own for spans [[start, end], ...]: the pending selection, the selected
  // excerpt, speaker labels.
  function mark(name, spans) {
    if (!HL) return;
    if (!spans.length) { CSS.highlights.delete(name); return; }
    const h = new Highlight();
    spans.forEach(function (span) { h.add(text.staticRange(span[0], span[1])); });
    h.priority = 10;
    CSS.highlights.set(name, h);
  }
  if (HL) {
    mark("pc-speaker", text.paras.filter(function (p) { return p.dataset.l; }).map(function (p) {
      return [Number(p.dataset.o), Number(p.dataset.o) + Number(p.dataset.l)];
    }));
  } else {
    $("no-highlights").hidden = false;
  }

  // ----- what is in view -----
  let shownParas = text.paras;
  function inView() {
    if (!shownParas.length) return null;
    let lo = 0, hi = shownParas.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (shownParas[mid].getBoundingClientRect().bottom > 0) hi = mid; else lo = mid + 1;
    }
    let last = lo;
    const h = window.innerHeight;
    while (last + 1 < shownParas.length && shownParas[last + 1].getBoundingClientRect().top < h) last++;
    const end = shownParas[last];
    return { s: Number(shownParas[lo].dataset.o), e: Number(end.dataset.o) + (end.firstChild ? end.firstChild.length : 0),
             first: shownParas[lo] };
  }
  function excerptsIn(view) {
    const out = [];
    if (!view) return out;
    excerpts.forEach(function (x) { if (x.s < view.e && x.e > view.s && shown(x)) out.push(x); });
    return out.sort(function (a, b) { return a.s - b.s || a.e - b.e || a.id - b.id; });
  }

  // ----- stripes: one bar per excerpt in a fixed-width margin; overlaps take separate lanes -----
  const wrap = $("text-wrap");
  const stripes = $("stripes");
  let lanes = new Map();
  function laneLimit() { return narrow.matches ? 4 : 8; }
  function assignLanes() {
    const list = Array.from(excerpts.values()).filter(shown).sort(function (a, b) { return a.s - b.s || b.e - a.e; });
    const ends = [];
    lanes = new Map();
    list.forEach(function (x) {
      let lane = ends.findIndex(function (e) { return e <= x.s; });
      if (lane === -1) { lane = ends.length; ends.push(x.e); } else { ends[lane] = x.e; }
      lanes.set(x.id, Math.min(lane, laneLimit() - 1));
    });
  }
  function drawStripes(list, view) {
    const top = wrap.getBoundingClientRect().top;
    const bars = list.map(function (x) {
      const r = text.range(Math.max(x.s, view.s), Math.min(x.e, view.e)).getBoundingClientRect();
      const bar = document.createElement("div");
      bar.className = "stripe" + (x.id === selectedId ? " selected" : "");
      bar.dataset.id = x.id;
      bar.title = describe(x);
      bar.style.top = (r.top - top) + "px";
      bar.style.height = Math.max(r.height, 6) + "px";
      bar.style.left = "calc(" + (lanes.get(x.id) || 0) + " * var(--lane))";
      bar.style.background = colourOf(x);
      return bar;
    });
    stripes.replaceChildren.apply(stripes, bars);
  }
  stripes.addEventListener("click", function (ev) {
    const bar = ev.target.closest(".stripe");
    if (bar) select(Number(bar.dataset.id), { openPanel: true });
  });

  // ----- hovering the text names the excerpts under the pointer -----
  const tip = $("excerpt-tip");
  let hover = null;
  function offsetAtPoint(x, y) {
    if (document.caretPositionFromPoint) {
      const p = document.caretPositionFromPoint(x, y);
      return p ? text.offsetOf(p.offsetNode, p.offset) : null;
    }
    const r = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return r ? text.offsetOf(r.startContainer, r.startOffset) : null;
  }
  function showTip() {
    const ev = hover;
    hover = null;
    const u = ev.buttons ? null : offsetAtPoint(ev.clientX, ev.clientY);
    const under = [];
    if (u !== null) excerpts.forEach(function (x) { if (x.s <= u && u < x.e && shown(x)) under.push(x); });
    if (!under.length) { tip.hidden = true; return; }
    tip.replaceChildren.apply(tip, under.slice(0, 6).map(function (x) {
      const line = document.createElement("div");
      line.textContent = describe(x);
      return line;
    }));
    tip.style.left = Math.min(ev.clientX + 12, document.documentElement.clientWidth - tip.offsetWidth - 4) + "px";
    tip.style.top = (ev.clientY + 16) + "px";
    tip.hidden = false;
  }
  root.addEventListener("mousemove", function (ev) {
    if (!hover) requestAnimationFrame(showTip);
    hover = ev;
  });
  root.addEventListener("mouseleave", function () { hover = null; tip.hidden = true; });

  // ----- side panel: the excerpts in view, rendered lazily -----
  const list = $("excerpt-list");
  const PANEL_MAX = 60;
  const historyUrl = root.dataset.historyUrl;
  function item(x) {
    const li = document.createElement("li");
    li.id = "x" + x.id;
    li.className = "excerpt-item" + (x.id === selectedId ? " selected" : "");
    li.dataset.id = x.id;
    li.style.setProperty("--c", colourOf(x));
    if (x.id === selectedId) li.setAttribute("aria-current", "true");
    const quote = quoteOf(x);
    const goto = document.createElement("button");
    goto.type = "button";
    // Focusing the quote reads its themes, coder and memo: the details a mouse user hovers for.
    goto.setAttribute("aria-describedby", "x" + x.id + "-t x" + x.id + "-c" + (x.m ? " x" + x.id + "-m" : ""));
    goto.className = "btn btn-link p-0 text-start excerpt-goto";
    goto.textContent = "«" + (quote.length > 140 ? quote.slice(0, 139) + "…" : quote) + "»";
    const badges = document.createElement("div");
    badges.className = "small";
    badges.id = "x" + x.id + "-t";
    x.t.forEach(function (id) {
      const t = themes.get(id);
      const b = document.createElement("span");
      b.className = "badge theme-badge";
      b.style.setProperty("--c", t ? t.colour : "#888888");
      b.textContent = t ? t.name : "?";
      badges.append(b, " ");
    });
    const meta = document.createElement("div");
    meta.className = "small text-body-secondary";
    const coder = document.createElement("span");
    coder.id = "x" + x.id + "-c";
    coder.textContent = coders[x.c] || "?";
    meta.append(coder, " · ");
    if (x.r !== undefined) {
      const review = document.createElement("strong");
      review.textContent = gettext("needs review");
      meta.append(review, " · ");
    }
    const history = document.createElement("a");
    history.href = urlFor(historyUrl, x.id);
    history.textContent = gettext("History");
    meta.append(history);
    li.append(goto, badges, meta);
    if (x.m) {
      const memo = document.createElement("div");
      memo.className = "small memo";
      memo.id = "x" + x.id + "-m";
      memo.textContent = x.m;
      li.append(memo);
    }
    if (data.canCode && (data.locked || []).indexOf(x.c) === -1) {  // consensus: adjudication only
      const actions = document.createElement("div");
      actions.className = "d-flex gap-1 mt-1";
      actions.append(button(gettext("Edit"), "btn-outline-secondary excerpt-edit"));
      if (data.canDelete) actions.append(button(gettext("Remove"), "btn-outline-danger excerpt-remove"));
      li.append(actions);
    }
    return li;
  }
  function button(label, cls) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + cls;
    b.textContent = label;
    return b;
  }
  let panelIds = null;
  function drawPanel(inViewList) {
    let items = inViewList.slice(0, PANEL_MAX);
    if (selectedId !== null && excerpts.has(selectedId) && !items.some(function (x) { return x.id === selectedId; })) {
      items = [excerpts.get(selectedId)].concat(items);
    }
    const key = items.map(function (x) { return x.id + ":" + x.v + (x.id === selectedId ? "*" : ""); }).join(",");
    if (key === panelIds) return;
    panelIds = key;
    // Keyboard users keep their place: focus goes back to the same control of the same
    // excerpt, or to the list's heading if that excerpt left the list.
    const active = list.contains(document.activeElement) ? document.activeElement : null;
    const activeId = active && active.closest(".excerpt-item") ? active.closest(".excerpt-item").dataset.id : null;
    const activeClass = active ? Array.from(active.classList).find(function (c) { return c.indexOf("excerpt-") === 0; }) : null;
    list.replaceChildren.apply(list, items.map(item));
    if (active) {
      const again = activeId && activeClass && list.querySelector('.excerpt-item[data-id="' + activeId + '"] .' + activeClass);
      (again || $("excerpts-heading")).focus({ preventScroll: true });
    }
    if (!items.length) {
      const empty = document.createElement("li");
      empty.textContent = excerpts.size ? gettext("No excerpts in view.") : gettext("No excerpts yet.");
      list.append(empty);
    }
  }

  // ----- redraw what the scroll position and filters show, at most once a frame -----
  let frame = 0;
  function refresh() {
    frame = 0;
    const view = inView();
    const visible = excerptsIn(view);
    drawStripes(visible, view);
    drawPanel(visible);
  }
  function schedule() { if (!frame) frame = requestAnimationFrame(refresh); }
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);

  function select(id, opts) {
    selectedId = id;
    const x = excerpts.get(id);
    mark("pc-selected", x ? [[x.s, x.e]] : []);
    panelIds = null;
    refresh();
    const li = $("x" + id);
    const scroller = narrow.matches ? $("side-panel") : li && li.closest(".coding-side");
    if (li && scroller) scroller.scrollTop += li.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    if (opts && opts.openPanel && narrow.matches) openDrawer(true);
  }
  function scrollToExcerpt(x) {
    const r = text.range(x.s, x.e).getBoundingClientRect();
    window.scrollBy(0, r.top - window.innerHeight / 3);
  }
  list.addEventListener("click", function (ev) {
    const li = ev.target.closest(".excerpt-item");
    if (!li) return;
    const x = excerpts.get(Number(li.dataset.id));
    if (ev.target.closest(".excerpt-goto")) { select(x.id); scrollToExcerpt(x); }
    else if (ev.target.closest(".excerpt-edit")) coding.edit(x);
    else if (ev.target.closest(".excerpt-remove")) coding.remove(x);
  });

  // ----- filters: theme, coder, speaker -----
  function applyFilters() {
    assignLanes();
    drawAll();
    panelIds = null;
    refresh();
  }
  function numberOrNull(v) { return v === "" ? null : Number(v); }
  $("filter-theme").addEventListener("change", function (ev) { filters.theme = numberOrNull(ev.target.value); applyFilters(); });
  $("filter-coder").addEventListener("change", function (ev) { filters.coder = numberOrNull(ev.target.value); applyFilters(); });
  const speakerFilter = $("filter-speaker");
  if (speakerFilter) {
    speakerFilter.addEventListener("change", function () {
      const v = speakerFilter.value;
      filters.speaker = v === "" ? null : v;
      text.paras.forEach(function (p) { p.hidden = filters.speaker !== null && (p.dataset.s || "") !== filters.speaker; });
      shownParas = text.paras.filter(function (p) { return !p.hidden; });
      const codeAll = $("speaker-code");
      if (codeAll) codeAll.hidden = filters.speaker === null;
      applyFilters();
    });
  }

  // ----- narrow screens: the side panel is a drawer -----
  const drawerToggle = $("drawer-toggle");
  function openDrawer(open) {
    document.body.classList.toggle("drawer-open", open);
    drawerToggle.setAttribute("aria-expanded", String(open));
    if (open) $("drawer-close").focus({ preventScroll: true });
  }
  drawerToggle.addEventListener("click", function () { openDrawer(!document.body.classList.contains("drawer-open")); });
  $("drawer-close").addEventListener("click", function () { openDrawer(false); drawerToggle.focus({ preventScroll: true }); });

  // ----- the data changes: one excerpt at a time, redrawing only what it touches -----
  function upsert(x) {
    excerpts.set(x.id, x);
    assignLanes();
    draw(x);
    if (selectedId === x.id) mark("pc-selected", [[x.s, x.e]]);
    refresh();
  }
  function drop(id) {
    excerpts.delete(id);
    undraw(id);
    if (selectedId === id) { selectedId = null; mark("pc-selected", []); }
    assignLanes();
    refresh();
  }

  // ----- status messages: a toast outside the text's flow, so nothing moves -----
  const status = $("status");
  let statusTimer = 0;
  function say(message, opts) {
    opts = opts || {};
    clearTimeout(statusTimer);
    const box = document.createElement("div");
    box.className = "alert py-1 px-2 mb-0 d-flex gap-2 align-items-center " + (opts.error ? "alert-danger" : "alert-success");
    const span = document.createElement("span");
    span.textContent = message;
    box.append(span);
    if (opts.action) {
      const b = button(opts.action[0], "btn-primary");
      b.addEventListener("click", opts.action[1]);
      box.append(b);
    }
    status.replaceChildren(box);
    if (!opts.action && !opts.error) statusTimer = setTimeout(function () { status.replaceChildren(); }, 4000);
  }

  // ----- the JSON API -----
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  function api(url, body, method) {
    const init = { method: method || "POST", headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (init.method === "POST") {
      if (!(body instanceof FormData)) {
        const form = new FormData();
        Object.keys(body || {}).forEach(function (k) { form.append(k, body[k]); });
        body = form;
      }
      if (csrf && !body.has("csrfmiddlewaretoken")) body.append("csrfmiddlewaretoken", csrf.value);
      init.body = body;
    }
    return fetch(url, init).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (b) { return { status: resp.status, body: b }; });
    }, function () { return { status: 0, body: {} }; });
  }
  function problems(r) {
    if (r.status === 0) return [gettext("The server did not answer, so nothing was saved. Check the connection and try again.")];
    if (r.status === 403) return [gettext("You are not allowed to do this (error 403). Your role may have changed; ask the study's owner.")];
    if (r.status === 404) return [gettext("This no longer exists (error 404): someone may have removed it. Check for new excerpts.")];
    const out = [];
    Object.values(r.body.errors || {}).forEach(function (v) {
      (Array.isArray(v) ? v : [v]).forEach(function (e) { out.push(e && e.message ? e.message : String(e)); });
    });
    if (!out.length) out.push(interpolate(gettext("The server could not do this (error %s). Nothing was saved."), [r.status]));
    return out;
  }
  function learnCoders(map) { Object.keys(map || {}).forEach(function (k) { coders[k] = map[k]; }); }

  // ----- others' work: a light poll, shown on request -----
  const newsUrl = $("check-news").dataset.url;
  let since = data.now;
  const incoming = new Map();
  const gone = new Set();
  function poll() {
    return api(newsUrl + "?since=" + encodeURIComponent(since), null, "GET").then(function (r) {
      if (r.status !== 200) return;
      since = new Date(Date.parse(r.body.now) - 5000).toISOString();  // overlap: late commits
      learnCoders(r.body.coders);
      r.body.excerpts.forEach(function (x) {
        const known = excerpts.get(x.id);
        if (!known || known.v < x.v) incoming.set(x.id, x);
      });
      r.body.deleted.forEach(function (id) { if (excerpts.has(id)) gone.add(id); });
      drawNews();
    });
  }
  function drawNews() {
    const n = incoming.size + gone.size;
    $("news").hidden = n === 0;
    if (!n) return;
    const names = Array.from(new Set(Array.from(incoming.values()).map(function (x) { return coders[x.c] || "?"; })));
    $("news-text").textContent = names.length
      ? interpolate(ngettext("%s new or changed excerpt by %s", "%s new or changed excerpts by %s", incoming.size), [incoming.size, names.join(", ")])
        + (gone.size ? " · " + interpolate(ngettext("%s removed", "%s removed", gone.size), [gone.size]) : "")
      : interpolate(ngettext("%s excerpt removed by someone else", "%s excerpts removed by someone else", gone.size), [gone.size]);
  }
  $("news-show").addEventListener("click", function () {
    incoming.forEach(upsert);
    gone.forEach(drop);
    incoming.clear();
    gone.clear();
    drawNews();
    say(gettext("Shown."));
  });
  $("check-news").addEventListener("click", function () { poll().then(function () { if (!incoming.size && !gone.size) say(gettext("Nothing new.")); }); });
  setInterval(function () { if (document.visibilityState === "visible") poll(); }, 30000);

  // ----- coding (researchers only) -----
  const coding = window.PastoCodingPicker ? window.PastoCodingPicker({
    root: root, text: text, data: data, themes: themes, excerpts: excerpts, urlFor: urlFor, api: api,
    problems: problems, say: say, upsert: upsert, drop: drop, learnCoders: learnCoders, quoteOf: quoteOf,
    mark: mark, narrow: narrow, gettext: gettext, interpolate: interpolate, ngettext: ngettext,
  }) : null;

  // ----- keyboard commands in the text: step from excerpt to excerpt, read the codes -----
  // N and P move the caret to the start of the next or previous excerpt shown and read it;
  // I reads the codes of the excerpts under the caret. ? shows every shortcut.
  const live = $("live");
  function announce(message) {
    // The same words twice in a row are still read: empty the region first.
    live.textContent = "";
    setTimeout(function () { live.textContent = message; }, 30);
  }
  function details(x) {
    const names = x.t.map(function (t) { return themes.has(t) ? themes.get(t).name : "?"; }).join(", ");
    let out = interpolate(gettext("Themes: %s. Coder: %s."), [names, coders[x.c] || "?"]);
    if (x.m) out += " " + interpolate(gettext("Memo: %s"), [x.m]);
    return out;
  }
  function caretOffset() {
    const sel = window.getSelection();
    if (!sel.rangeCount || !root.contains(sel.focusNode)) return null;
    return text.offsetOf(sel.focusNode, sel.focusOffset);
  }
  function ordered() {
    return Array.from(excerpts.values()).filter(shown).sort(function (a, b) { return a.s - b.s || a.e - b.e || a.id - b.id; });
  }
  function step(forward) {
    const all = ordered();
    if (!all.length) { announce(gettext("No excerpts in this transcript.")); return; }
    const at = caretOffset();
    const current = selectedId !== null ? all.findIndex(function (x) { return x.id === selectedId; }) : -1;
    let i;
    if (current !== -1 && at === all[current].s) i = current + (forward ? 1 : -1);
    else if (at === null) i = forward ? 0 : all.length - 1;
    else if (forward) i = all.findIndex(function (x) { return x.s > at; });
    else {
      // Back to the start of the excerpt before the current one, not to the current one's start.
      i = -1;
      all.forEach(function (x, k) { if (x.s < at) i = k; });
      if (i !== -1 && i === current) i -= 1;
    }
    if (i < 0 || i >= all.length) {
      announce(forward ? gettext("No more excerpts after this one.") : gettext("No excerpts before this one."));
      return;
    }
    const x = all[i];
    const point = text.point(x.s, false);
    window.getSelection().collapse(point[0], point[1]);
    select(x.id);
    scrollToExcerpt(x);
    if (coding) coding.drawCaret(false);
    const quote = quoteOf(x);
    announce(interpolate(gettext("Excerpt %s of %s: «%s». %s"),
      [i + 1, all.length, quote.length > 200 ? quote.slice(0, 199) + "…" : quote, details(x)]));
  }
  function readCodes() {
    const at = caretOffset();
    const under = at === null ? [] : ordered().filter(function (x) { return x.s <= at && at < x.e; });
    if (!under.length && selectedId !== null && excerpts.has(selectedId)) under.push(excerpts.get(selectedId));
    announce(under.length ? under.map(details).join(" ") : gettext("No excerpt at the caret."));
  }
  const shortcuts = $("shortcuts");
  function showShortcuts() {
    if (shortcuts && !shortcuts.open) shortcuts.showModal();
  }
  $("shortcuts-button").addEventListener("click", showShortcuts);
  $("shortcuts-close").addEventListener("click", function () { shortcuts.close(); });
  root.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const key = ev.key.toLowerCase();
    if (key === "n" || key === "p") { ev.preventDefault(); step(key === "n"); }
    else if (key === "i") { ev.preventDefault(); readCodes(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "?" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.closest("input, textarea, select, [contenteditable]")) return;
    ev.preventDefault();
    showShortcuts();
  });

  assignLanes();
  drawAll();
  refresh();
  if (location.hash.indexOf("#x") === 0 && excerpts.has(Number(location.hash.slice(2)))) {
    const x = excerpts.get(Number(location.hash.slice(2)));
    scrollToExcerpt(x);
    select(x.id);
  }
})();
