// The transcript text on the coding page: UTF-16 offsets <-> DOM points, and ranges.
// Each <p class="turn"> holds exactly one text node, identical to its stored line; its data-o is
// the UTF-16 offset of its first character (coding/highlight.py). So a point's offset is data-o
// plus its offset in that node, and nothing here walks or measures text. Offsets stay UTF-16
// units, what the browser counts; the server converts them to code points (interviews/text.py).
(function () {
  "use strict";

  function CodingText(root) {
    this.root = root;
    this.paras = Array.prototype.slice.call(root.querySelectorAll("p.turn"));
    this.starts = this.paras.map(function (p) { return Number(p.dataset.o); });
    this.length = Number(root.dataset.lengthUtf16);
  }

  CodingText.prototype.paraLength = function (i) {
    const node = this.paras[i].firstChild;
    return node ? node.length : 0;
  };

  // Index of the last paragraph starting at or before `u` (0 if none does).
  CodingText.prototype.indexAt = function (u) {
    let lo = 0, hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= u) lo = mid; else hi = mid - 1;
    }
    return lo;
  };

  // The DOM point for offset `u`. An offset in the line breaks between two paragraphs is the
  // end of the first for an end point, the start of the next for a start point.
  CodingText.prototype.point = function (u, isEnd) {
    const i = this.indexAt(u);
    const p = this.paras[i];
    const len = this.paraLength(i);
    let offset = Math.max(0, u - this.starts[i]);
    if (offset > len) {
      if (!isEnd && i + 1 < this.paras.length) return [this.paras[i + 1].firstChild || this.paras[i + 1], 0];
      offset = len;
    }
    return [p.firstChild || p, offset];
  };

  CodingText.prototype.staticRange = function (s, e) {
    const a = this.point(s, false), b = this.point(e, true);
    return new StaticRange({ startContainer: a[0], startOffset: a[1], endContainer: b[0], endOffset: b[1] });
  };

  CodingText.prototype.range = function (s, e) {
    const a = this.point(s, false), b = this.point(e, true);
    const r = document.createRange();
    r.setStart(a[0], a[1]);
    r.setEnd(b[0], b[1]);
    return r;
  };

  // The offset of a DOM point inside the text, or null outside it.
  CodingText.prototype.offsetOf = function (node, offset) {
    const root = this.root;
    if (node !== root && !root.contains(node)) return null;
    if (node === root) return offset < this.paras.length ? this.starts[offset] : this.length;
    if (node.nodeType === Node.TEXT_NODE) return Number(node.parentElement.dataset.o) + offset;
    const p = node.closest("p.turn");
    if (!p) return null;
    return Number(p.dataset.o) + (offset === 0 || !p.firstChild ? 0 : p.firstChild.length);
  };

  // {start, end, quote, range} of the document's selection if it is a non-empty passage of the
  // text, else null.
  CodingText.prototype.selection = function () {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const start = this.offsetOf(range.startContainer, range.startOffset);
    const end = this.offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return null;
    const quote = range.toString();
    if (!quote.trim()) return null;
    return { start: start, end: end, quote: quote, range: range.cloneRange() };
  };

  // The paragraph of offset `u`'s speaker index ("" before any label).
  CodingText.prototype.speakerAt = function (u) {
    return this.paras.length ? (this.paras[this.indexAt(u)].dataset.s || "") : "";
  };

  window.CodingText = CodingText;
})();
