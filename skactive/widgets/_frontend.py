"""The labelling widget's front end: an ES module and a style sheet, served
by anywidget (no build step, nothing fetched from the network).

The page shows what the kernel sends (``sample_html``, ``progress_html``,
the buttons' ``classes``) and sends back what the person does, as
``{"action": ..., "index": <row shown>, "cls": <class position>}``. Nothing
is labelled in the page: a row changes only when the kernel has taught and
saved the label, and ``n_done`` (the number of actions the kernel handled)
is written to the root element's ``data-done`` attribute so that a test can
wait for it.
"""

ESM = r"""
const SPECIAL = { undo: "Undo", skip: "Skip", unsure: "Not sure" };

function keyName(key) {
  if (key === " ") return "Space";
  return key;
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "skactive-labeller";
  root.tabIndex = 0;
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const sample = document.createElement("div");
  sample.className = "skactive-sample";
  const current = document.createElement("div");
  current.className = "skactive-current-label";
  const classBar = document.createElement("div");
  classBar.className = "skactive-classes";
  const actionBar = document.createElement("div");
  actionBar.className = "skactive-actions";
  const status = document.createElement("div");
  status.className = "skactive-status";
  const progress = document.createElement("div");
  progress.className = "skactive-progress";
  const main = document.createElement("div");
  main.className = "skactive-main";
  main.append(sample, current, classBar, actionBar, status);
  root.append(main, progress);
  el.appendChild(root);

  let clickedAt = null;
  function send(action, extra) {
    const always = action === "undo" || action === "review_unsure";
    if (model.get("sample_index") < 0 && !always) return;
    clickedAt = performance.now();
    model.send({ action, index: model.get("sample_index"), ...(extra || {}) });
  }

  function drawButtons() {
    classBar.replaceChildren();
    const keys = model.get("class_keys");
    model.get("classes").forEach((name, i) => {
      const button = document.createElement("button");
      button.className = "skactive-class";
      button.dataset.cls = String(i);
      button.dataset.label = name;
      button.title = keys[i] ? `key: ${keyName(keys[i])}` : "";
      button.innerHTML = "";
      const text = document.createElement("span");
      text.textContent = name;
      button.append(text);
      if (keys[i]) {
        const kbd = document.createElement("kbd");
        kbd.textContent = keyName(keys[i]);
        button.append(kbd);
      }
      button.addEventListener("click", () => send("label", { cls: i }));
      classBar.append(button);
    });
    actionBar.replaceChildren();
    const special = model.get("action_keys");
    for (const action of ["undo", "skip", "unsure"]) {
      const button = document.createElement("button");
      button.className = `skactive-action skactive-${action}`;
      button.dataset.action = action;
      const text = document.createElement("span");
      text.textContent = SPECIAL[action];
      button.append(text);
      if (special[action]) {
        const kbd = document.createElement("kbd");
        kbd.textContent = keyName(special[action]);
        button.append(kbd);
        button.title = `key: ${keyName(special[action])}`;
      }
      button.addEventListener("click", () => send(action));
      actionBar.append(button);
    }
    const review = document.createElement("button");
    review.className = "skactive-action skactive-review-unsure";
    review.dataset.action = "review_unsure";
    review.textContent = "Review not sure";
    review.addEventListener("click", () => send("review_unsure"));
    actionBar.append(review);
    drawState();
  }

  function drawState() {
    const index = model.get("sample_index");
    const shown = index >= 0;
    sample.innerHTML = shown ? model.get("sample_html") : "";
    root.dataset.sample = String(index);
    root.dataset.status = model.get("status");
    root.dataset.busy = String(model.get("busy"));
    const labelled = model.get("current_label");
    current.textContent = labelled >= 0
      ? `labelled as ${model.get("classes")[labelled]}: click to change`
      : "";
    classBar.querySelectorAll("button").forEach((button, i) => {
      button.disabled = !shown;
      button.classList.toggle("skactive-selected", i === labelled);
    });
    actionBar.querySelectorAll("button").forEach((button) => {
      const action = button.dataset.action;
      if (action === "undo") button.disabled = !model.get("can_undo");
      else if (action === "review_unsure") {
        button.disabled = model.get("n_unsure") === 0;
      }
      else button.disabled = !shown;
    });
    status.textContent = model.get("message");
    status.classList.toggle("skactive-error", model.get("status") === "error");
    progress.innerHTML = model.get("progress_html");
  }

  function acknowledged() {
    root.dataset.done = String(model.get("n_done"));
    if (clickedAt !== null) {
      root.dataset.latencyMs = (performance.now() - clickedAt).toFixed(1);
      clickedAt = null;
    }
  }

  root.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = model.get("class_keys");
    const special = model.get("action_keys");
    let handled = false;
    const i = keys.indexOf(event.key);
    if (i >= 0) {
      send("label", { cls: i });
      handled = true;
    } else {
      for (const action of ["undo", "skip", "unsure"]) {
        if (special[action] === event.key) {
          send(action);
          handled = true;
        }
      }
    }
    if (handled) {
      event.preventDefault();
      event.stopPropagation();
    }
  });
  // Keep the focus (and so the keys) on the widget after a click.
  root.addEventListener("click", () => root.focus({ preventScroll: true }));

  model.on("change:classes", drawButtons);
  model.on("change:class_keys", drawButtons);
  for (const name of ["sample_index", "sample_html", "current_label", "status",
                      "busy", "message", "progress_html", "can_undo", "n_unsure"]) {
    model.on(`change:${name}`, drawState);
  }
  model.on("change:n_done", () => { drawState(); acknowledged(); });
  drawButtons();
  acknowledged();
  if (model.get("autofocus")) root.focus({ preventScroll: true });
}

export default { render };
"""

CSS = """
.skactive-labeller {
  display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start;
  padding: 10px; border: 1px solid #d0d7de; border-radius: 6px;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px;
  outline: none; background: var(--jp-layout-color0, #fff);
  color: var(--jp-ui-font-color1, #1f2328);
}
.skactive-labeller:focus {
  border-color: #0969da; box-shadow: 0 0 0 2px #0969da33;
}
.skactive-main { flex: 1 1 340px; min-width: 300px; }
.skactive-sample {
  min-height: 120px; padding: 8px; margin-bottom: 8px; border-radius: 4px;
  background: var(--jp-layout-color2, #f6f8fa); overflow: auto; max-height: 420px;
}
.skactive-sample img { display: block; margin: 0 auto; max-width: 100%; }
.skactive-text { white-space: pre-wrap; font-size: 15px; line-height: 1.4; }
.skactive-table { border-collapse: collapse; }
.skactive-table th, .skactive-table td {
  text-align: left; padding: 2px 8px; border-bottom: 1px solid #d0d7de;
}
.skactive-current-label { min-height: 18px; color: #9a6700; }
.skactive-classes, .skactive-actions {
  display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0;
}
.skactive-labeller button {
  padding: 5px 10px; border: 1px solid #d0d7de; border-radius: 6px;
  background: #f6f8fa; color: #1f2328; cursor: pointer; font-size: 13px;
}
.skactive-labeller button.skactive-class { background: #ddf4ff; border-color: #54aeff; }
.skactive-labeller button.skactive-selected {
  background: #fff8c5; border-color: #d4a72c;
}
.skactive-labeller button:disabled { opacity: 0.45; cursor: default; }
.skactive-labeller kbd {
  margin-left: 6px; padding: 0 4px; border: 1px solid #d0d7de; border-radius: 3px;
  font-size: 11px; color: #59636e; background: #fff;
}
.skactive-status { min-height: 18px; color: #59636e; }
.skactive-status.skactive-error { color: #cf222e; white-space: pre-wrap; }
.skactive-progress { flex: 0 1 260px; min-width: 220px; }
.skactive-progress table { border-collapse: collapse; width: 100%; }
.skactive-progress td { padding: 1px 4px; }
.skactive-bar { height: 9px; background: #54aeff; border-radius: 2px; }
"""
