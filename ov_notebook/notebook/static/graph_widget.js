// The interactive graph of ov_notebook (anywidget ES module, no dependencies, no network).
// Python lays the graph out with graphviz and sends the SVG; this module pans, zooms and fits
// it, forwards clicks (open/close modules, pick an op) and search keystrokes, and shows details.

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  return abs >= 1e-3 && abs < 1e5 ? value.toPrecision(4) : value.toExponential(2);
}

function rows(table, pairs) {
  for (const [key, value] of pairs) {
    const tr = el("tr");
    tr.append(el("th", {}, key), el("td", {}, value));
    table.append(tr);
  }
}

function renderDetails(panel, details) {
  panel.replaceChildren();
  if (!details || !details.name) {
    panel.append(el("div", { class: "ovn-gw-hint" },
      "Click an op for its details; a module box to open it; a module's frame to close it."));
    return;
  }
  panel.append(el("div", { class: "ovn-gw-title" }, `${details.type} (${details.version})`));
  const table = el("table", { class: "ovn-gw-details" });
  rows(table, [["name", details.name], ["source op", details.source_op || "—"],
               ["module", details.module_path || "(root)"],
               ["module type", details.module_type || "—"]]);
  details.inputs.forEach((text, i) => rows(table, [[`input ${i}`, text]]));
  details.outputs.forEach((text, i) => rows(table, [[`output ${i}`, text]]));
  for (const [key, value] of Object.entries(details.attributes)) rows(table, [[key, value]]);
  panel.append(table);
  for (const w of details.weights) {
    panel.append(el("div", { class: "ovn-gw-subtitle" }, `weights (input ${w.input})`));
    const weights = el("table", { class: "ovn-gw-details ovn-gw-weights" });
    rows(weights, [["shape", `[${w.shape.join(", ")}]`], ["dtype", w.dtype],
                   ["min / max", `${fmt(w.min)} / ${fmt(w.max)}`], ["mean", fmt(w.mean)],
                   ["share of parameters",
                    w.share === null ? "—" : `${(100 * w.share).toFixed(2)}%`]]);
    panel.append(weights);
  }
}

const WIDGET_VIEW = "application/vnd.jupyter.widget-view+json";
const WIDGET_STATE = "application/vnd.jupyter.widget-state+json";
const CLOSED_NOTE = "interactive graph: closed with its kernel; run the cell again to reopen it " +
                    "(the static graph above stays)";
const SAVED_NOTE = "saved graph, no kernel behind it: pan, zoom and fit work; run the cell " +
                   "again to search, open modules and see details";

function shownModelIds(notebook) {
  const ids = new Set();
  for (let c = 0; c < notebook.cells.length; c++) {
    const outputs = notebook.cells.get(c).outputs;
    for (let o = 0; outputs && o < outputs.length; o++) {
      const view = outputs.get(o).data[WIDGET_VIEW];
      if (view && view.model_id) ids.add(view.model_id);
    }
  }
  return ids;
}

// A widget whose kernel is gone (restart, shutdown) can never draw again, and JupyterLab shows
// "Error displaying widget: model not found" for it once the notebook is saved and reopened.
// When the comm dies, the output that holds this widget is replaced, in the notebook model, by
// a line of text (so the next save stores text, not a dangling model id), and the model is
// closed, which removes any view left (Lab then hides the output). The static image displayed
// beside the widget stays. Outside Lab and Notebook 7 (no notebook context on the widget
// manager) only the closing happens.
function replaceOutputs(manager, id) {
  const cells = manager.context && manager.context.model && manager.context.model.cells;
  if (!cells) return;
  for (let c = 0; c < cells.length; c++) {
    const outputs = cells.get(c).outputs;
    for (let o = 0; outputs && o < outputs.length; o++) {
      const view = outputs.get(o).data[WIDGET_VIEW];
      if (view && view.model_id === id) {
        outputs.set(o, { output_type: "display_data", data: { "text/plain": CLOSED_NOTE },
                         metadata: {} });
      }
    }
  }
}

// A notebook saved while the widget was live and reopened after its kernel is gone would show
// "Error displaying widget: model not found" too: the output names a model nobody has. JupyterLab
// (and Notebook 7) restore models from the notebook's metadata.widgets whenever a notebook opens,
// but write it only with "Save Widget State Automatically" on, and then only for live models. So
// on every save this module writes the state of the graph widgets shown in the notebook (and the
// models they reference: their layout) into metadata.widgets, keeping other widgets' entries and
// dropping those of its widgets no longer shown. A restored widget draws its saved graph.
const MODELS = Symbol.for("ov_notebook.graph_widget.models");  // one registry for all copies

function isGraphEntry(id, entry) {
  const state = entry && entry.state;
  return !!state && state.widget_id === id && typeof state._esm === "string" &&
         state._esm.includes("ovn-gw");
}

function references(value, found = new Set()) {
  if (typeof value === "string" && value.startsWith("IPY_MODEL_")) found.add(value.slice(10));
  else if (value && typeof value === "object") {
    for (const item of Object.values(value)) references(item, found);
  }
  return found;
}

function modelEntry(widget) {
  // what ManagerBase's serialize_state writes, for models whose state holds no binary buffers
  return JSON.parse(JSON.stringify({
    model_name: widget.name, model_module: widget.module,
    model_module_version: widget.get("_model_module_version"),
    state: widget.serialize(widget.get_state(true)) }));
}

function writeGraphState(manager) {
  const notebook = manager.context.model;
  const shown = shownModelIds(notebook);
  const metadata = notebook.getMetadata ? notebook.getMetadata("widgets")
                                        : notebook.metadata.get("widgets");
  const saved = (metadata && metadata[WIDGET_STATE]) || {};
  const state = Object.assign({}, saved.state || {});
  const dropped = new Set();
  for (const [id, entry] of Object.entries(state)) {
    if (isGraphEntry(id, entry) && !shown.has(id)) {
      references(entry.state).forEach((ref) => dropped.add(ref));
      delete state[id];
    }
  }
  for (const [id, widget] of manager[MODELS]) {
    if (widget._closed || !shown.has(id)) { manager[MODELS].delete(id); continue; }
    state[id] = modelEntry(widget);
    for (const ref of references(state[id].state)) {
      const attribute = Object.values(widget.attributes).find((v) => v && v.model_id === ref);
      if (attribute && attribute.serialize) state[ref] = modelEntry(attribute);
    }
  }
  const kept = references(state);
  dropped.forEach((ref) => { if (!kept.has(ref)) delete state[ref]; });
  if (!metadata && !Object.keys(state).length) return;
  const value = { [WIDGET_STATE]: { version_major: 2, version_minor: 0, state } };
  if (notebook.setMetadata) notebook.setMetadata("widgets", value);
  else notebook.metadata.set("widgets", value);
}

function saveWithNotebook(manager, id, widget) {
  const context = manager.context;
  if (!context || !context.saveState || !context.model || !context.model.cells) return;
  if (!manager[MODELS]) {
    manager[MODELS] = new Map();
    // "started" is emitted synchronously right before the notebook is serialized
    context.saveState.connect((_, state) => {
      if (state !== "started") return;
      try { writeGraphState(manager); } catch (error) { console.warn("ovn graph widget", error); }
    });
  }
  manager[MODELS].set(id, widget);
}

// Resolves to true while the widget has a kernel behind it, false for a model restored from
// the notebook's saved state (it never had a comm).
async function followKernel(model) {
  const id = model.get("widget_id"), manager = model.widget_manager;
  if (!id || !manager || !manager.get_model) return true;
  let widget;
  try { widget = await manager.get_model(id); } catch (error) { return true; }
  try { saveWithNotebook(manager, id, widget); } catch (error) { console.warn(error); }
  if (!widget.comm) return false;
  const closeIfDead = () => {
    if (widget.comm_live !== false || widget._closed) return;
    try { replaceOutputs(manager, id); } catch (error) { console.warn("ovn graph widget", error); }
    widget.close(true);
  };
  model.on("comm_live_update", closeIfDead);
  closeIfDead();
  return true;
}

function render({ model, el: root }) {
  root.classList.add("ovn-gw");
  let live = true;
  const bar = el("div", { class: "ovn-gw-bar" });
  const search = el("input", { type: "search", class: "ovn-gw-search",
                               placeholder: "search as you type: op type, name, module path" });
  search.value = model.get("query");
  const less = el("button", { class: "ovn-gw-less", title: "collapse one module level" }, "−");
  const more = el("button", { class: "ovn-gw-more", title: "expand one module level" }, "+");
  const depth = el("span", { class: "ovn-gw-depth" });
  const fit = el("button", { class: "ovn-gw-fit", title: "fit the graph in the box" }, "fit");
  const zoomIn = el("button", { class: "ovn-gw-zoom-in", title: "zoom in" }, "zoom +");
  const zoomOut = el("button", { class: "ovn-gw-zoom-out", title: "zoom out" }, "zoom −");
  bar.append(search, less, depth, more, fit, zoomIn, zoomOut);
  const status = el("div", { class: "ovn-gw-status" });
  const body = el("div", { class: "ovn-gw-body" });
  const viewport = el("div", { class: "ovn-gw-viewport" });
  const stage = el("div", { class: "ovn-gw-stage" });
  viewport.append(stage);
  const panel = el("div", { class: "ovn-gw-panel" });
  body.append(viewport, panel);
  root.append(bar, status, body);

  let scale = 1, x = 0, y = 0, fitted = false, clicks = 0;
  const apply = () => { stage.style.transform = `translate(${x}px, ${y}px) scale(${scale})`; };
  const svgSize = () => {
    const svg = stage.querySelector("svg");
    if (!svg) return [1, 1];
    const box = svg.viewBox && svg.viewBox.baseVal;
    return box && box.width ? [box.width, box.height] : [svg.clientWidth, svg.clientHeight];
  };
  const doFit = () => {
    const [w, h] = svgSize();
    const vw = viewport.clientWidth || 800, vh = viewport.clientHeight || 600;
    scale = Math.min(vw / w, vh / h, 1.5);
    x = (vw - w * scale) / 2; y = Math.max(0, (vh - h * scale) / 2);
    apply();
  };
  const zoomAt = (factor, cx, cy) => {
    const next = Math.min(8, Math.max(0.02, scale * factor));
    x = cx - (cx - x) * (next / scale); y = cy - (cy - y) * (next / scale); scale = next;
    apply();
  };
  const centerOn = (node) => {
    const box = node.getBBox();
    const vw = viewport.clientWidth || 800, vh = viewport.clientHeight || 600;
    scale = Math.max(scale, 0.6);
    x = vw / 2 - (box.x + box.width / 2) * scale;
    // graphviz draws in a group translated to the bottom of the viewBox
    const group = stage.querySelector("svg > g");
    const shift = group && group.transform.baseVal.numberOfItems ?
      group.transform.baseVal.getItem(group.transform.baseVal.numberOfItems - 1).matrix.f : 0;
    y = vh / 2 - (box.y + shift + box.height / 2) * scale;
    apply();
  };

  const showStatus = () => {
    status.textContent = model.get("error") || model.get("summary");
    if (!live) status.textContent += ` — ${SAVED_NOTE}`;
  };

  const draw = () => {
    const error = model.get("error");
    stage.innerHTML = error ? "" : model.get("svg");
    const svg = stage.querySelector("svg");
    if (svg) { svg.removeAttribute("width"); svg.removeAttribute("height");
               const [w, h] = svgSize(); svg.style.width = `${w}px`; svg.style.height = `${h}px`; }
    showStatus();
    depth.textContent = `depth ${model.get("depth")} of ${model.get("max_depth")}`;
    const matches = model.get("matches");
    for (const id of matches) {
      const node = stage.querySelector(`g.node[id="${id}"]`);
      if (node) node.classList.add("ovn-gw-match");
    }
    if (!fitted) { doFit(); fitted = true; }
    if (matches.length) {
      const first = stage.querySelector(`g.node[id="${matches[0]}"]`);
      if (first) centerOn(first);
    }
  };

  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    if (!live) return;
    timer = setTimeout(() => { model.set("query", search.value); model.save_changes(); }, 150);
  });
  const setDepth = (d) => {
    if (!live) return;
    model.set("depth", Math.max(0, Math.min(model.get("max_depth"), d))); model.save_changes();
  };
  less.addEventListener("click", () => setDepth(model.get("depth") - 1));
  more.addEventListener("click", () => setDepth(model.get("depth") + 1));
  fit.addEventListener("click", doFit);
  zoomIn.addEventListener("click", () => zoomAt(1.25, viewport.clientWidth / 2,
                                                 viewport.clientHeight / 2));
  zoomOut.addEventListener("click", () => zoomAt(0.8, viewport.clientWidth / 2,
                                                  viewport.clientHeight / 2));
  viewport.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = viewport.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - rect.left, event.clientY - rect.top);
  }, { passive: false });
  let drag = null, moved = false;
  viewport.addEventListener("pointerdown", (event) => {
    drag = [event.clientX, event.clientY, x, y]; moved = false;
  });
  viewport.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const dx = event.clientX - drag[0], dy = event.clientY - drag[1];
    if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
    if (moved) { x = drag[2] + dx; y = drag[3] + dy; apply(); }
  });
  viewport.addEventListener("pointerup", () => { drag = null; });
  viewport.addEventListener("pointerleave", () => { drag = null; });
  stage.addEventListener("click", (event) => {
    if (moved) return;
    event.preventDefault();  // graphviz wraps tooltipped nodes in <a>: no navigation
    const node = event.target.closest("g.node");
    const cluster = node ? null : event.target.closest("g.cluster");
    const target = node ? node.id : cluster ? cluster.id : "";
    if (!target || !live) return;
    clicks += 1;
    model.set("clicked", `${target}|${clicks}`); model.save_changes();
  });

  model.on("change:svg", draw);
  model.on("change:summary", showStatus);
  model.on("change:details", () => renderDetails(panel, model.get("details")));
  draw();
  renderDetails(panel, model.get("details"));
  followKernel(model).then((hasKernel) => {
    if (hasKernel) return;
    live = false;  // a restored model has no comm: nothing would answer search or clicks
    for (const control of [search, less, more]) control.disabled = true;
    showStatus();
  });
}

export default { render };
