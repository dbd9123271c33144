// Excerpt browser: suggestions for the typed filters (participant, transcript, coder) from
// reports:excerpt-choices, "N more", page links shown in place, and "Show context" on each card (also
// on the theme and codebook reports' quotes).
(function () {
  "use strict";
  const form = document.querySelector("form[data-choices-url]");
  if (form) {
    form.querySelectorAll("input[data-choices]").forEach(function (input) {
      const list = document.getElementById(input.getAttribute("list"));
      let timer = null;
      let asked = null;
      function ask() {
        const q = input.value.trim();
        if (q === asked) { return; }
        asked = q;
        const url = form.dataset.choicesUrl + "?field=" + encodeURIComponent(input.dataset.choices) +
          "&q=" + encodeURIComponent(q);
        fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (row) {
              const option = document.createElement("option");
              option.value = row.value;
              option.label = row.label;
              option.textContent = row.label;
              return option;
            }));
          });
      }
      input.addEventListener("focus", ask);
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(ask, 200);
      });
    });
  }
  // Page 1's totals (shown, and hidden for consent), fetched once the page is shown: counting
  // every match costs more than a page.
  const heading = document.getElementById("result-count");
  if (heading && heading.dataset.counts) {
    fetch(heading.dataset.counts, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data === null) { return; }
        heading.textContent = data.heading;
        const note = document.getElementById("hidden-count");
        if (note && data.note) {
          note.textContent = data.note;
          note.hidden = false;
        }
      });
  }
  const list = document.getElementById("excerpts");
  if (list) {
    // "More": the next page's cards (a fragment of the same page), appended in place of the pager.
    list.addEventListener("click", function (event) {
      const more = event.target.closest("[data-more]");
      if (!more) { return; }
      more.disabled = true;
      fetch(more.dataset.more, {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { more.disabled = false; return; }
          more.closest("[data-pager]").remove();
          list.insertAdjacentHTML("beforeend", html);
        });
    });
    // Page links: the page's cards and pager (the fragment "More" fetches) in place of the
    // list's, without loading the whole page again; the address and the history follow, and
    // the focus moves to the heading, which names the page ("Excerpts 51–100"), so that a
    // screen reader says where it is. A failed fetch loads the whole page instead.
    let shown = window.location.search;
    const showPage = function (search, push) {
      fetch(search + (search ? "&" : "?") + "fragment=1", {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) { window.location.search = search; return; }
          list.innerHTML = html;
          shown = search;
          if (push) { window.history.pushState({excerptPage: true}, "", search); }
          const pager = list.querySelector("[data-pager]");
          if (heading && pager) { heading.textContent = pager.dataset.heading; }
          if (heading) { heading.focus(); }
        });
    };
    list.addEventListener("click", function (event) {
      const link = event.target.closest("[data-pager] a[href]");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      showPage(link.getAttribute("href"), true);
    });
    window.addEventListener("popstate", function () {
      if (window.location.search !== shown) { showPage(window.location.search, false); }
    });
  }
  // "Show context": the paragraphs around the quote, from reports:excerpt-context, in place.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-context]");
    if (!button) { return; }
    const text = button.closest("[data-context-root]").querySelector(".excerpt-text");
    fetch(button.dataset.context, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        text.querySelector("[data-before]").textContent = data.before;
        text.querySelector("[data-after]").textContent = data.after;
        text.childNodes.forEach(function (node) {
          if (node.nodeType === Node.TEXT_NODE && node.textContent === "…") { node.textContent = ""; }
        });
        button.remove();
      });
  });
}());
