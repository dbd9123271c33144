// Classification sheet: edit an attribute's cell in place. Enter or a double-click opens an
// editor fitting the attribute's type; Enter (or leaving the field) saves through the sheet's
// cell URL, Escape cancels. A refused value keeps the editor open with the server's message.
// Arrow keys move between cells.
(function () {
  "use strict";
  const table = document.getElementById("sheet");
  if (!table || !table.dataset.editable) return;
  const editors = JSON.parse(document.getElementById("sheet-editors").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  const status = document.getElementById("sheet-status");
  const first = table.querySelector("td[data-c]");
  if (first) first.tabIndex = 0;

  function focusCell(cell) {
    table.querySelectorAll("td[tabindex='0']").forEach(function (c) { c.tabIndex = -1; });
    cell.tabIndex = 0;
    cell.focus();
  }

  function editorFor(spec, value) {
    let field;
    if (spec.type === "choice" || spec.type === "boolean") {
      field = document.createElement("select");
      const options = spec.type === "choice" ? spec.choices : [gettext("yes"), gettext("no")];
      ["", ...options].forEach(function (label) {
        const option = document.createElement("option");
        option.textContent = label;
        option.selected = label === value;
        field.appendChild(option);
      });
    } else {
      field = document.createElement("input");
      if (spec.type === "date") field.type = "date";
      field.value = value;
    }
    field.className = "form-control form-control-sm";
    return field;
  }

  function open(cell) {
    if (cell.querySelector("input, select")) return;
    const spec = editors[cell.dataset.c];
    const before = cell.textContent;
    const field = editorFor(spec, before);
    const header = table.querySelector("thead th[data-c='" + cell.dataset.c + "']");
    field.setAttribute("aria-label", header ? header.textContent.trim() : "");
    cell.textContent = "";
    cell.appendChild(field);
    field.focus();
    let busy = false;

    function close(text) {
      cell.textContent = text;
      cell.classList.remove("table-danger");
      cell.removeAttribute("title");
      focusCell(cell);
    }

    function save() {
      if (busy) return;
      if (field.value === before) { close(before); return; }
      busy = true;
      const body = new FormData();
      body.append("obj", cell.parentElement.dataset.o);
      body.append("attribute", cell.dataset.c);
      body.append("value", field.value);
      if (csrf) body.append("csrfmiddlewaretoken", csrf.value);
      fetch(table.dataset.cellUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (resp) { return resp.json().then(function (data) { return [resp.ok, data]; }); })
        .then(function (result) {
          busy = false;
          if (result[0]) {
            close(result[1].value);
            status.textContent = gettext("Saved.");
          } else {
            cell.classList.add("table-danger");
            cell.title = result[1].error;
            field.setAttribute("aria-invalid", "true");
            status.textContent = result[1].error;
            field.focus();
          }
        })
        .catch(function () {
          busy = false;
          status.textContent = gettext("The cell could not be saved; check your connection.");
        });
    }

    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); save(); }
      if (event.key === "Escape") { event.preventDefault(); close(before); }
    });
    field.addEventListener("change", function () { if (field.tagName === "SELECT") save(); });
    field.addEventListener("blur", function () { if (!busy && field.isConnected) save(); });
  }

  table.addEventListener("dblclick", function (event) {
    const cell = event.target.closest("td[data-c]");
    if (cell) open(cell);
  });
  table.addEventListener("click", function (event) {
    const cell = event.target.closest("td[data-c]");
    if (cell && !cell.querySelector("input, select")) focusCell(cell);
  });
  table.addEventListener("keydown", function (event) {
    const cell = event.target.closest ? event.target.closest("td[data-c]") : null;
    if (!cell || event.target !== cell) return;
    if (event.key === "Enter" || event.key === "F2") { event.preventDefault(); open(cell); return; }
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const row = cell.parentElement;
    const target = move[0] ? (move[0] < 0 ? row.previousElementSibling : row.nextElementSibling) : row;
    if (!target) return;
    const index = Array.prototype.indexOf.call(row.children, cell) + move[1];
    const next = target.children[index];
    if (next && next.dataset.c) focusCell(next);
  });
})();
