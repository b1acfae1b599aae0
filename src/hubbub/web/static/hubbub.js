// hubbub dashboard: live query validation (the error caret as you type) and term suggestions.
// Plain JS, no library; every request goes to this server.
(function () {
  "use strict";
  const base = document.body.dataset.base || "";

  function show(box, result) {
    box.textContent = "";
    if (result.valid) {
      const ok = document.createElement("span");
      ok.className = "ok";
      ok.textContent = "✓ valid query";
      box.appendChild(ok);
      return;
    }
    const div = document.createElement("div");
    div.className = "error";
    div.setAttribute("role", "alert");
    const strong = document.createElement("strong");
    strong.textContent = result.error;
    div.appendChild(strong);
    if (result.hint) div.appendChild(document.createTextNode(" — " + result.hint));
    const pre = document.createElement("pre");
    pre.className = "caret";
    pre.textContent = result.excerpt;
    div.appendChild(pre);
    box.appendChild(div);
  }

  const input = document.querySelector("[data-validate]");
  const box = document.getElementById("live-validation");
  if (input && box) {
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(async function () {
        if (!input.value.trim()) { box.textContent = ""; return; }
        const r = await fetch(base + "/validate?query=" + encodeURIComponent(input.value));
        if (r.ok) show(box, await r.json());
      }, 250);
    });
  }

  const button = document.getElementById("suggest");
  const list = document.getElementById("suggestions");
  if (button && list && input) {
    button.addEventListener("click", async function () {
      list.textContent = "…";
      const r = await fetch(base + "/suggest?query=" + encodeURIComponent(input.value));
      const data = await r.json();
      list.textContent = "";
      if (data.error) { list.textContent = data.error; return; }
      for (const s of [...data.add, ...data.exclude]) {
        const li = document.createElement("li");
        const change = s.posts_added !== undefined ? "+" + s.posts_added : "-" + s.posts_removed;
        li.textContent = s.suggestion + " (" + change + " posts)";
        li.addEventListener("click", function () {
          input.value = "(" + input.value + ") " + s.suggestion;
          input.dispatchEvent(new Event("input"));
        });
        list.appendChild(li);
      }
      if (!list.children.length) list.textContent = "No suggestion for this query.";
    });
  }
})();
