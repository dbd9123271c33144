// Upload page: pick several files at once, one row each, and add rows. Without this script the
// page still works: it offers three rows, each with its own file input.
(function () {
  "use strict";
  const rows = document.getElementById("upload-rows");
  const template = document.getElementById("upload-row-template");
  const total = document.querySelector('input[name$="-TOTAL_FORMS"]');
  const max = Number(document.querySelector('input[name$="-MAX_NUM_FORMS"]').value);
  const picker = document.getElementById("multi-files");
  const addButton = document.getElementById("add-row");
  if (!rows || !template || !total) return;
  document.getElementById("multi-pick").hidden = false;
  addButton.hidden = false;

  function addRow() {
    const index = Number(total.value);
    if (index >= max) return null;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    return rows.lastElementChild;
  }

  function isFree(row) {
    const file = row.querySelector('input[type="file"]');
    const text = row.querySelector("textarea");
    return file && file.files.length === 0 && (!text || text.value.trim() === "");
  }

  function stem(name) {
    const dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(0, dot) : name;
  }

  addButton.addEventListener("click", function () {
    const row = addRow();
    if (row) row.querySelector('input[type="file"]').focus();
  });

  picker.addEventListener("change", function () {
    let free = Array.from(rows.querySelectorAll(".upload-row")).filter(isFree);
    for (const file of picker.files) {
      const row = free.length ? free.shift() : addRow();
      if (!row) break;
      const input = row.querySelector('input[type="file"]');
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      const title = row.querySelector('input[name$="-title"]');
      if (title && !title.value) title.value = stem(file.name);
    }
    picker.value = "";
    const first = rows.querySelector('select[name$="-participant"]');
    if (first) first.focus();
  });
})();
