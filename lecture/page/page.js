// lesson.html's script: draws the lesson's steps from the numbers lecture/page.py put in the
// page, and shows how any number was computed. No network, no library: the page opens from disk.
"use strict";

const D = JSON.parse(document.getElementById("lesson-data").textContent);
const TEXT = D.text;
const P = D.precision;
const WINDOW_ROWS = 16; // a taller matrix (W_Q's 384 rows) shows its first rows
const WINDOW_COLS = 12; // and a wider one its first columns, until "show all"

// ---- numbers -------------------------------------------------------------------------------

const decoded = {};

// The array a lookup key names (qkv/derived.py's keys), decoded on first use.
function array(key) {
  if (!(key in decoded)) {
    const spec = D.arrays[key];
    if (!spec) return null;
    const bin = atob(spec.data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const Kind = { f4: Float32Array, f8: Float64Array, u1: Uint8Array }[spec.type];
    decoded[key] = { shape: spec.shape, values: new Kind(bytes.buffer) };
  }
  return decoded[key];
}

function value(key, index) {
  const a = array(key);
  let flat = 0;
  for (let d = 0; d < a.shape.length; d++) flat = flat * a.shape[d] + index[d];
  return a.values[flat];
}

// The text a number shows at the lesson's precision, as the scenes write it
// (scenes/kit/provenance.number_text: Python's rounding, half to even on an exact tie, and no
// minus sign on a number that rounds to zero).
function shown(x, p = P) {
  if (!Number.isFinite(x)) return x < 0 ? "−∞" : x > 0 ? "∞" : "NaN"; // a masked score: −∞
  let s = x.toFixed(p);
  const exact = Math.abs(x).toFixed(Math.min(p + 30, 100));
  const dot = exact.indexOf(".");
  const rest = exact.slice(dot + 1 + p);
  if (/^50*$/.test(rest)) {
    // a tie: toFixed went away from zero; Python goes to the even neighbour
    const cut = p > 0 ? exact.slice(0, dot + 1 + p) : exact.slice(0, dot);
    if (Number(cut.slice(-1)) % 2 === 0) s = (x < 0 ? "-" : "") + cut;
  }
  if (s.startsWith("-") && Number(s) === 0) s = s.slice(1);
  return s;
}

// Whether terms, as shown, add up to the total as shown: exact, in units of the last digit.
function addsUp(termTexts, totalText) {
  const units = (t) => Math.round(Number(t) * 10 ** P);
  return termTexts.reduce((s, t) => s + units(t), 0) === units(totalText);
}

// A number element: its value at the lesson's precision, and where it came from.
function num(key, index, cls = "") {
  const el = document.createElement("span");
  el.className = ("num " + cls).trim();
  el.dataset.key = key;
  el.dataset.index = index.join(",");
  el.textContent = shown(value(key, index));
  return el;
}

// ---- small DOM helpers ---------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in values ? values[name] : m));
}

const tokens = D.tokens;
const keyTokens = D.key_tokens;
const dims = D.dims;
let head = D.focus_head;

function columnNames(n) {
  return Array.from({ length: n }, (_, i) => String(i + 1));
}

// ---- matrices ------------------------------------------------------------------------------

// A titled table of the array ``key``: rows and columns labelled, each cell a number element.
function matrix(key, title, rows, cols, role, options = {}) {
  const a = array(key);
  if (!a) return document.createTextNode("");
  const box = el("div", { class: "matrix-box" });
  box.append(el("h3", { text: title }));
  const draw = (all) => {
    const shape = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
    const nRows = all ? shape[0] : Math.min(shape[0], WINDOW_ROWS);
    const nCols = all ? shape[1] : Math.min(shape[1], WINDOW_COLS);
    const table = el("table", { class: `matrix role-${role}` + (options.heat ? " heat" : "") });
    table.dataset.key = key;
    const headRow = el("tr", {}, el("th"));
    for (let j = 0; j < nCols; j++) headRow.append(el("th", { text: cols[j] }));
    if (nCols < shape[1]) headRow.append(el("th", { text: "…" }));
    table.append(headRow);
    for (let i = 0; i < nRows; i++) {
      const tr = el("tr", {}, el("th", { text: rows[i] }));
      for (let j = 0; j < nCols; j++) {
        const index = a.shape.length === 1 ? [j] : [i, j];
        const td = el("td", { class: "num" });
        td.dataset.key = key;
        td.dataset.index = index.join(",");
        const v = value(key, index);
        td.textContent = shown(v);
        if (options.heat) heat(td, i, j, v);
        if (v === -Infinity) td.classList.add("masked");
        tr.append(td);
      }
      if (nCols < shape[1]) tr.append(el("td", { class: "more", text: "…" }));
      table.append(tr);
    }
    if (nRows < shape[0]) {
      const tr = el("tr", {}, el("th", { text: "⋮" }));
      table.append(tr);
    }
    return [table, nRows < shape[0] || nCols < shape[1], shape];
  };
  let [table, cut, shape] = draw(false);
  box.append(table);
  if (cut) {
    const note = el("p", { class: "note" });
    note.append(
      fill(TEXT.shown, { n: Math.min(shape[1], WINDOW_COLS), m: shape[1] }) +
        (shape[0] > WINDOW_ROWS ? ` × ${fill(TEXT.shown, { n: WINDOW_ROWS, m: shape[0] })}` : "") +
        " ",
    );
    const more = el("button", { text: fill(TEXT.all, { n: shape[0] * shape[1] }) });
    more.addEventListener("click", () => {
      const [whole] = draw(true);
      table.replaceWith(whole);
      note.remove();
    });
    note.append(more);
    box.append(note);
  }
  return box;
}

// A weight's cell coloured by its weight; a masked cell hatched.
function heat(td, i, j, w) {
  const mask = array(`heads.${head}.mask`);
  if (mask && value(`heads.${head}.mask`, [i, j])) {
    td.classList.add("masked");
    return;
  }
  const strength = Math.max(0, Math.min(1, w));
  td.style.background = `rgba(255, 159, 67, ${(0.1 + 0.85 * strength).toFixed(3)})`;
  if (strength > 0.55) td.style.color = "#0E1117";
}

// Who looks at whom: queries on the left, keys on the right, a line per pair as thick as its
// weight (as BertViz draws a head). Hovering a token keeps only its lines.
function lines() {
  const key = `heads.${head}.weights`;
  const rowH = 26;
  const width = 420;
  const n = Math.max(tokens.length, keyTokens.length);
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("class", "lines");
  svg.setAttribute("width", width);
  svg.setAttribute("height", n * rowH + 30);
  svg.dataset.key = key;
  const label = (x, y, text, anchor) => {
    const t = document.createElementNS(svgNS, "text");
    t.setAttribute("x", x);
    t.setAttribute("y", y);
    t.setAttribute("text-anchor", anchor);
    t.setAttribute("dominant-baseline", "middle");
    t.textContent = text;
    return t;
  };
  svg.append(label(120, 10, TEXT.queries, "end"), label(width - 120, 10, TEXT.keys, "start"));
  const drawn = [];
  for (let i = 0; i < tokens.length; i++) {
    for (let j = 0; j < keyTokens.length; j++) {
      const w = value(key, [i, j]);
      if (w <= 0) continue;
      const ln = document.createElementNS(svgNS, "line");
      ln.setAttribute("x1", 130);
      ln.setAttribute("y1", 30 + i * rowH);
      ln.setAttribute("x2", width - 130);
      ln.setAttribute("y2", 30 + j * rowH);
      ln.setAttribute("stroke-width", (0.3 + 7 * w).toFixed(2));
      ln.setAttribute("stroke-opacity", (0.15 + 0.85 * w).toFixed(3));
      ln.dataset.key = key;
      ln.dataset.index = `${i},${j}`;
      drawn.push(ln);
      svg.append(ln);
    }
  }
  const focus = (side, index) => {
    for (const ln of drawn) {
      const [i, j] = ln.dataset.index.split(",").map(Number);
      ln.classList.toggle("dim", index !== null && (side === "q" ? i : j) !== index);
    }
  };
  tokens.forEach((t, i) => {
    const l = label(120, 30 + i * rowH, t, "end");
    l.addEventListener("mouseenter", () => focus("q", i));
    l.addEventListener("mouseleave", () => focus("q", null));
    svg.append(l);
  });
  keyTokens.forEach((t, j) => {
    const l = label(width - 120, 30 + j * rowH, t, "start");
    l.addEventListener("mouseenter", () => focus("k", j));
    l.addEventListener("mouseleave", () => focus("k", null));
    svg.append(l);
  });
  return el("div", { class: "matrix-box" }, el("h3", { text: TEXT.lines }), svg);
}

// ---- the steps -----------------------------------------------------------------------------

// Each step of the page, the scene of the video that shows it, and what it draws.
const STEPS = [
  ["vectors", "TokensToVectors", () => {
    const d = columnNames(dims.d_model);
    const parts = [];
    if (D.arrays.E) parts.push(matrix("E", TEXT.E, tokens, d, "X"));
    if (D.arrays.P) parts.push(matrix("P", TEXT.P, tokens, d, "X"));
    parts.push(matrix("X", TEXT.X, tokens, d, "X"));
    if (D.arrays.X_kv) parts.push(matrix("X_kv", TEXT.X_kv, keyTokens, d, "X"));
    return parts;
  }],
  ["projections", "Projections", () => {
    const d = columnNames(dims.d_model);
    const k = columnNames(dims.d_k);
    const v = columnNames(dims.d_v);
    const h = `heads.${head}`;
    return [
      matrix(`${h}.W_Q`, TEXT.W_Q, d, k, "learned"),
      matrix(`${h}.W_K`, TEXT.W_K, d, k, "learned"),
      matrix(`${h}.W_V`, TEXT.W_V, d, v, "learned"),
      matrix(`${h}.Q`, TEXT.Q, tokens, k, "Q"),
      matrix(`${h}.K`, TEXT.K, keyTokens, k, "K"),
      matrix(`${h}.V`, TEXT.V, keyTokens, v, "V"),
    ];
  }],
  ["scores", "Scores", () => [matrix(`heads.${head}.scores`, TEXT.scores, tokens, keyTokens, "weights")]],
  ["scaling", "Scaling", () => [
    matrix(`heads.${head}.scaled`, fill(TEXT.scaled, { sqrt_d_k: shown(dims.sqrt_d_k) }), tokens,
      keyTokens, "weights"),
  ]],
  ["softmax", "Softmax", () => [
    matrix(`heads.${head}.weights`, TEXT.weights, tokens, keyTokens, "weights", { heat: true }),
    lines(),
  ]],
  ["mix", "WeightedSum", () => [
    matrix(`heads.${head}.output`, TEXT.output, tokens, columnNames(dims.d_v), "output"),
  ]],
  ["heads", "MultiHead", () => {
    const d = columnNames(dims.d_model);
    const c = columnNames(dims.hd_v);
    return [
      matrix("concat", TEXT.concat, tokens, c, "output"),
      matrix("W_O", TEXT.W_O, c, d, "learned"),
      matrix("output", TEXT.final, tokens, d, "output"),
    ];
  }],
];
if (D.arrays["heads.0.masked"]) { // the mask acts between scaling and softmax
  STEPS.splice(4, 0, ["mask", "Masking", () => [
    matrix(`heads.${head}.masked`, TEXT.mask, tokens, keyTokens, "weights"),
  ]]);
}

function drawSteps() {
  const main = document.getElementById("steps");
  main.replaceChildren();
  for (const [name, scene, draw] of STEPS) {
    const section = el("section", { class: "step", id: `step-${name}` });
    section.dataset.scene = scene;
    const title = el("h2", {}, el("span", { text: TEXT[`step.${name}`] }));
    if (D.video && chapterOf(scene)) {
      const watch = el("button", { class: "seek", text: TEXT.watch });
      watch.dataset.scene = scene;
      watch.addEventListener("click", () => seek(scene));
      title.append(watch);
    }
    section.append(title, ...draw());
    main.append(section);
  }
  if (D.kv_sentence) {
    const note = el("p", { class: "note", text: fill(TEXT.cross, D) });
    main.prepend(note);
  }
  for (const td of main.querySelectorAll("td.num")) {
    td.addEventListener("click", () => pick(td.dataset.key, td.dataset.index, true));
    td.addEventListener("mouseenter", () => hover(td));
  }
  if (current) highlight(current.key, current.index);
}

// ---- how a number was computed ---------------------------------------------------------------

let current = null;

function hover(td) {
  // hovering shows a number's derivation until another is clicked
  if (!current || current.hovered) {
    show(td.dataset.key, td.dataset.index.split(",").map(Number));
    current = { key: td.dataset.key, index: td.dataset.index, hovered: true };
  }
}

function pick(key, indexText, link) {
  const index = indexText.split(",").map(Number);
  const m = /^heads\.(\d+)\./.exec(key);
  if (m && Number(m[1]) !== head) {
    head = Number(m[1]);
    document.getElementById("head").value = String(head);
    drawSteps();
  }
  current = { key, index: indexText, hovered: false };
  show(key, index);
  highlight(key, indexText);
  if (link) history.replaceState(null, "", `#cell=${key}:${indexText}`);
}

function highlight(key, indexText) {
  for (const td of document.querySelectorAll("td.picked")) td.classList.remove("picked");
  const td = document.querySelector(`td.num[data-key="${key}"][data-index="${indexText}"]`);
  if (td) td.classList.add("picked");
  return td;
}

// The derivation panel: the number, the rule that made it, and its terms with their numbers.
function show(key, index) {
  const panel = document.getElementById("derivation");
  panel.replaceChildren(el("h2", { text: TEXT.derivation }));
  const address = `#cell=${key}:${index.join(",")}`;
  panel.append(el("p", { class: "note" }, el("a", { href: address, text: address })));
  panel.append(el("p", { class: "total" }, num(key, index)));
  const body = derive(key, index);
  panel.append(...body);
  panel.dataset.cell = `${key}:${index.join(",")}`; // which number it explains, as a link names it
}

// A row named by its number (from 1, as the tables count) and its token.
function row(names, i) {
  return `${i + 1} (${names[i]})`;
}

function tok(text) {
  return el("span", { class: "tok", text });
}

function para(text) {
  return el("p", { text });
}

// A sum of products: a row of terms a·b = p per index, then the total.
// terms: [[aKey, aIndex], [bKey, bIndex], termsKey, termsIndex] per term.
// labels: the two factors' names, e.g. ["Q[1,m]", "K[2,m]"].
function productSum(terms, bias, totalKey, totalIndex, labels) {
  const rows = el("table");
  rows.append(el("tr", { class: "note" }, el("td", { text: "m" }), el("td", { text: labels[0] }),
    el("td"), el("td", { text: labels[1] }), el("td"), el("td")));
  const texts = [];
  for (const [[ak, ai], [bk, bi], tk, ti] of terms) {
    const p = value(ak, ai) * value(bk, bi); // the IEEE product NumPy makes (qkv.derived.products)
    const product = el("span", { class: "num" });
    product.dataset.key = tk;
    product.dataset.index = ti.join(",");
    product.textContent = shown(p);
    texts.push(product.textContent);
    rows.append(el("tr", {}, el("td", { class: "op", text: String(ti[ti.length - 1] + 1) }),
      el("td", {}, num(ak, ai)), el("td", { class: "op", text: "×" }), el("td", {}, num(bk, bi)),
      el("td", { class: "op", text: "=" }), el("td", {}, product)));
  }
  if (bias) {
    const b = num(bias[0], bias[1]);
    texts.push(b.textContent);
    rows.append(el("tr", {}, el("td"), el("td", { class: "op", text: TEXT["how.bias"] }), el("td"), el("td"),
      el("td", { class: "op", text: "+" }), el("td", {}, b)));
  }
  const total = num(totalKey, totalIndex);
  const exact = addsUp(texts, total.textContent);
  const line = el("p", { class: "total" }, `Σ ${exact ? "=" : "≈"} `, total);
  const out = [el("div", { class: "terms" }, rows), line];
  if (!exact) out.push(el("p", { class: "note", text: fill(TEXT["how.approx"], { p: P }) }));
  return out;
}

function derive(key, index) {
  const parts = key.split(".");
  if (parts[0] === "heads") return deriveHead(Number(parts[1]), parts[2], index);
  const [i, j] = index;
  const range = (n) => Array.from({ length: n }, (_, m) => m);
  switch (key) {
    case "E":
    case "E_kv":
    case "P":
    case "P_kv":
      return [para(TEXT["how.leaf.embedding"])];
    case "X":
    case "X_kv": {
      if (D.source === "minilm") return [para(TEXT[dims.layer ? "how.X.hidden" : "how.X.norm"])];
      const suffix = key === "X" ? "" : "_kv";
      if (!D.arrays["P" + suffix]) return [para(TEXT["how.leaf.input"])];
      const e = num("E" + suffix, [i, j]);
      const p = num("P" + suffix, [i, j]);
      const x = num(key, [i, j]);
      const exact = addsUp([e.textContent, p.textContent], x.textContent);
      return [para(TEXT["how.X.sum"]), el("p", { class: "total" }, e, " + ", p, exact ? " = " : " ≈ ", x)];
    }
    case "W_O":
    case "b_O":
      return [para(leaf())];
    case "concat": {
      const k = Math.floor(j / dims.d_v);
      const c = j % dims.d_v;
      return [
        para(fill(TEXT["how.concat"], { j: c + 1, k, c: j + 1 })),
        el("p", { class: "total" }, num(`heads.${k}.output`, [i, c]), " = ", num(key, index)),
      ];
    }
    case "output": {
      const bias = D.arrays.b_O ? ["b_O", [j]] : null;
      const terms = range(dims.hd_v).map((m) => [["concat", [i, m]], ["W_O", [m, j]], "output_terms", [i, j, m]]);
      return [para(fill(TEXT[bias ? "how.final" : "how.final.nobias"], { i: row(tokens, i), j: j + 1 })),
        ...productSum(terms, bias, key, index, [`concat[${i + 1},m]`, `W_O[m,${j + 1}]`])];
    }
  }
  return [];
}

function leaf() {
  return D.source === "minilm" ? TEXT["how.leaf.learned"] : fill(TEXT["how.leaf.seeded"], { seed: D.seed });
}

function deriveHead(k, field, index) {
  const h = `heads.${k}`;
  const [i, j] = index;
  const range = (n) => Array.from({ length: n }, (_, m) => m);
  switch (field) {
    case "W_Q": case "W_K": case "W_V": case "b_Q": case "b_K": case "b_V":
      return [para(leaf())];
    case "Q": case "K": case "V": {
      const source = field === "Q" || !D.arrays.X_kv ? "X" : "X_kv";
      const bias = D.arrays[`${h}.b_${field}`] ? [`${h}.b_${field}`, [j]] : null;
      const terms = range(dims.d_model).map((m) =>
        [[source, [i, m]], [`${h}.W_${field}`, [m, j]], `${h}.${field}_terms`, [i, j, m]]);
      const words = { i: row(field === "Q" ? tokens : keyTokens, i), j: j + 1, A: source, W: `W_${field}` };
      return [para(fill(TEXT[bias ? "how.proj" : "how.proj.nobias"], words)),
        ...productSum(terms, bias, `${h}.${field}`, index,
          [`${source}[${i + 1},m]`, `W_${field}[m,${j + 1}]`])];
    }
    case "scores": {
      if (D.similarity !== "dot" && D.similarity !== "scaled_dot") {
        return [para(fill(TEXT["how.score.other"], { kind: D.similarity }))];
      }
      const terms = range(dims.d_k).map((m) =>
        [[`${h}.Q`, [i, m]], [`${h}.K`, [j, m]], `${h}.scores_terms`, [i, j, m]]);
      return [para(fill(TEXT["how.score"], { q: tokens[i], k: keyTokens[j] })),
        ...productSum(terms, null, `${h}.scores`, index, [`Q[${i + 1},m]`, `K[${j + 1},m]`])];
    }
    case "scaled": {
      if (D.similarity !== "scaled_dot") return [para(TEXT["how.scaled.none"])];
      const s = num(`${h}.scores`, index);
      const r = num("dims.sqrt_d_k", []);
      return [para(TEXT["how.scaled"]), el("p", { class: "total" }, s, " ÷ ", r, " = ", num(`${h}.scaled`, index))];
    }
    case "weights": {
      const mask = D.arrays[`${h}.mask`];
      if (mask && value(`${h}.mask`, index)) {
        return [para(fill(TEXT["how.weight.masked"], { q: tokens[i], k: keyTokens[j] }))];
      }
      if (D.normaliser === "relu") {
        return [para(TEXT["how.weight.relu"]), el("p", { class: "total" }, "max(",
          num(`${h}.scaled`, index), ", 0) = ", num(`${h}.weights`, index))];
      }
      return softmaxOf(h, i, j);
    }
    case "output": {
      const terms = range(keyTokens.length).map((s) =>
        [[`${h}.weights`, [i, s]], [`${h}.V`, [s, j]], `${h}.output_terms`, [i, j, s]]);
      return [para(fill(TEXT["how.output"], { i: row(tokens, i), j: j + 1 })),
        ...productSum(terms, null, `${h}.output`, index,
          [`weights[${i + 1},m]`, `V[m,${j + 1}]`])];
    }
    case "masked": {
      if (value(`${h}.mask`, index)) {
        return [para(fill(TEXT["how.weight.masked"], { q: tokens[i], k: keyTokens[j] }))];
      }
      return [para(TEXT["how.visible"]), el("p", { class: "total" }, num(`${h}.scaled`, index))];
    }
  }
  return [];
}

function softmaxOf(h, i, j) {
  const out = [para(TEXT["how.weight"])];
  const shift = value(`${h}.exp_shift`, [i]);
  if (shift !== 0) out.push(para(fill(TEXT["how.weight.shift"], { m: shown(shift) })));
  const rows = el("table");
  const mask = D.arrays[`${h}.mask`];
  for (let s = 0; s < keyTokens.length; s++) {
    if (mask && value(`${h}.mask`, [i, s])) continue;
    const mark = s === j ? "tok" : "";
    rows.append(el("tr", {}, el("td", {}, tok(keyTokens[s])),
      el("td", { class: "op", text: "e^" }), el("td", {}, num(`${h}.scaled`, [i, s])),
      el("td", { class: "op", text: "→" }), el("td", {}, num(`${h}.exp`, [i, s], mark))));
  }
  out.push(el("div", { class: "terms" }, rows));
  out.push(el("p", {}, `${TEXT["how.row_sum"]}: `, num(`${h}.exp_sum`, [i])));
  out.push(el("p", { class: "total" }, num(`${h}.exp`, [i, j]), " ÷ ", num(`${h}.exp_sum`, [i]),
    " = ", num(`${h}.weights`, [i, j])));
  return out;
}

// ---- the video -------------------------------------------------------------------------------

function chapterOf(scene) {
  return D.video ? D.video.chapters.find((c) => c.scene === scene) : null;
}

function seek(scene) {
  const chapter = chapterOf(scene);
  const video = document.getElementById("video");
  video.currentTime = chapter.start;
  markPlaying(chapter.start);
  video.scrollIntoView({ block: "nearest" });
}

function markPlaying(time) {
  const chapter = D.video.chapters.find((c) => time >= c.start && time < c.end);
  const scene = chapter ? chapter.scene : null;
  for (const s of document.querySelectorAll(".step")) {
    s.classList.toggle("playing", s.dataset.scene === scene);
  }
  for (const li of document.querySelectorAll("#chapters li")) {
    li.classList.toggle("playing", li.dataset.scene === scene);
  }
}

function setUpVideo() {
  if (!D.video) return;
  const player = document.getElementById("player");
  player.hidden = false;
  document.getElementById("video-title").textContent = TEXT.video;
  document.getElementById("chapters-title").textContent = TEXT.chapters;
  const video = document.getElementById("video");
  video.src = D.video.src;
  const list = document.getElementById("chapters");
  for (const c of D.video.chapters) {
    const button = el("button", { text: D.chapter_titles[c.scene] });
    button.addEventListener("click", () => {
      video.currentTime = c.start;
      markPlaying(c.start);
    });
    const li = el("li", {}, button);
    li.dataset.scene = c.scene;
    li.dataset.start = c.start;
    list.append(li);
  }
  // chapters and subtitles as the video's own tracks, made here: a <track> file beside a page
  // opened from disk is refused by the browser's file:// rules
  const chapters = video.addTextTrack("chapters", TEXT.chapters, D.lang);
  for (const c of D.video.chapters) chapters.addCue(new VTTCue(c.start, c.end, D.chapter_titles[c.scene]));
  if (D.video.cues.length) {
    const subtitles = video.addTextTrack("subtitles", D.lang, D.lang);
    for (const c of D.video.cues) subtitles.addCue(new VTTCue(c.start, c.end, c.text));
    subtitles.mode = "showing";
  }
  video.addEventListener("timeupdate", () => markPlaying(video.currentTime));
  video.addEventListener("seeked", () => markPlaying(video.currentTime));
}

// ---- deep links and start --------------------------------------------------------------------

// #cell=<key>:<i>,<j> opens that number's derivation (indices from 0, as the trace counts).
function openLink() {
  const m = /^#cell=([\w.]+):([\d,]+)$/.exec(decodeURIComponent(location.hash));
  if (!m || !D.arrays[m[1]]) return;
  pick(m[1], m[2], false);
  const td = highlight(m[1], m[2]);
  if (td) td.scrollIntoView({ block: "center" });
}

function start() {
  document.getElementById("setup").textContent = TEXT.setup + " " + TEXT.digest;
  document.getElementById("intro").textContent = TEXT.intro;
  document.getElementById("head-label").textContent = TEXT.head;
  document.getElementById("origin").textContent = D.model
    ? fill(TEXT.model, { model: D.model, layer: D.layer })
    : D.source === "seeded" ? TEXT.seeded : "";
  const select = document.getElementById("head");
  for (let k = 0; k < dims.h; k++) select.append(el("option", { value: String(k), text: String(k) }));
  select.value = String(head);
  select.addEventListener("change", () => {
    head = Number(select.value);
    drawSteps();
  });
  document.getElementById("derivation").append(el("h2", { text: TEXT.derivation }),
    para(TEXT.pick));
  setUpVideo();
  drawSteps();
  openLink();
  window.addEventListener("hashchange", openLink);
  document.body.dataset.ready = "1";
  document.body.dataset.readyAt = performance.now().toFixed(1); // ms since the page was asked for
}

start();
