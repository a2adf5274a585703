// The page of `zinebuild serve`: draws the state the server sends on one event stream
// (server-sent events: no polling), keeping the last good pages while a build fails.
"use strict";

const PAGE_PIXELS = 800; // width of a page image; shown at most 30em wide, sharp on dense screens
const $ = (selector) => document.querySelector(selector);
let generation = null;
let book = null;
let view = "pages";
const loaded = { booklet: null, epub: null };

// Text from the book (titles, messages) only ever goes in as text, never as markup.
function element(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((child) => child !== null));
  return node;
}

function where(file, line, key) {
  if (!file && !key) return null;
  const text = (file || "") + (line ? `:${line}` : "") + (key ? `${file ? " " : ""}[${key}]` : "");
  return element("span", { class: "where", text: text + " " });
}

function drawStatus(state) {
  const status = $("#status");
  status.className = "status";
  if (state.building) {
    status.textContent = "building…";
    status.classList.add("building");
  } else if (state.failure) {
    status.textContent = "build failed";
    status.classList.add("failed");
  } else if (state.book) {
    status.textContent = `built (${state.builds}) ${new Date().toLocaleTimeString()}`;
  }
  document.body.dataset.building = state.building ? "yes" : "no";
}

function drawFailure(failure) {
  const section = $("#failure");
  section.hidden = !failure;
  const list = $("#problems");
  list.replaceChildren();
  if (!failure) return;
  $("#failure-title").textContent = book
    ? "The last build failed; the pages shown are from the last good one. Save the fix and it rebuilds:"
    : "The build failed; save the fix and it rebuilds:";
  for (const problem of failure.problems) {
    list.append(element("li", {}, where(problem.file, problem.line, problem.key),
      element("span", { class: "message", text: problem.message }),
      problem.hint ? element("span", { class: "hint", text: `what to do: ${problem.hint}` }) : null));
  }
}

function piecePages(piece) {
  if (!piece.first_page) return [];
  return Array.from({ length: piece.pages || 1 }, (_, i) => piece.first_page + i);
}

function drawPieces() {
  const body = $("#pieces tbody");
  body.replaceChildren();
  book.pieces.forEach((piece, index) => {
    const row = element("tr", { "data-id": piece.id, onclick: () => showPage(piece.first_page) },
      element("td", { text: String(index + 1) }),
      element("td", {}, element("span", { text: piece.title }),
        piece.authors.length ? element("span", { class: "hint", text: piece.authors.join(", ") }) : null),
      element("td", { class: "n", text: String(piece.words) }),
      element("td", { class: "n", text: piece.pages === null ? "–" : String(piece.pages) }));
    if (book.changed.includes(piece.id)) row.classList.add("changed");
    body.append(row);
  });
}

function drawWarnings() {
  const list = $("#warnings");
  list.replaceChildren();
  $("#warning-count").textContent = `(${book.warnings.length})`;
  if (!book.warnings.length) list.append(element("li", { class: "hint", text: "none" }));
  for (const warning of book.warnings) {
    list.append(element("li", { class: "warning" }, element("span", { class: "code", text: warning.code }),
      where(warning.file, warning.line, null), element("span", { class: "message", text: warning.message })));
  }
}

function drawPages() {
  const pages = $("#pages");
  const [width, height] = book.page_size;
  while (pages.children.length > book.pages.length) pages.lastChild.remove();
  while (pages.children.length < book.pages.length) {
    const number = pages.children.length + 1;
    pages.append(element("figure", { class: "page", id: `page-${number}` },
      element("img", { loading: "lazy", alt: `page ${number}`, width: PAGE_PIXELS,
        height: Math.round(PAGE_PIXELS * height / width) }),
      element("figcaption", { text: String(number) })));
  }
  const changed = new Set(book.pieces.filter((p) => book.changed.includes(p.id)).flatMap(piecePages));
  Array.from(pages.children).forEach((figure, index) => {
    const image = figure.querySelector("img");
    image.height = Math.round(PAGE_PIXELS * height / width);
    // Named by content: a page the edit did not change keeps its name, and is not fetched again.
    const source = `/page/${book.pages[index]}.png?w=${PAGE_PIXELS}`;
    if (image.getAttribute("src") !== source) image.src = source;
    figure.classList.toggle("changed", changed.has(index + 1));
    figure.classList.toggle("focus", index + 1 === book.focus_page);
  });
}

function drawBooklet() {
  if (view !== "booklet" || loaded.booklet === generation) return;
  loaded.booklet = generation;
  $("#instructions").textContent = `${book.sheets} sheet(s). ${book.instructions}`;
  $("#sheets").src = `/sheets.png?g=${encodeURIComponent(generation)}`;
}

function drawEpub(focus) {
  const select = $("#epub-piece");
  const chosen = focus || select.value;
  select.replaceChildren(...book.pieces.filter((p) => p.epub).map((piece) =>
    element("option", { value: piece.epub, text: piece.title })));
  if (Array.from(select.options).some((option) => option.value === chosen)) select.value = chosen;
  if (view !== "epub" || loaded.epub === `${generation}/${select.value}`) return;
  loaded.epub = `${generation}/${select.value}`;
  $("#epub-frame").src = `/epub/${select.value}?g=${encodeURIComponent(generation)}`;
}

function showPage(number) {
  if (!number) return;
  if (view !== "pages") choose("pages");
  document.getElementById(`page-${number}`)?.scrollIntoView({ block: "start" });
}

function choose(name) {
  if (view !== name) window.scrollTo(0, 0);
  view = name;
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.setAttribute("aria-selected", String(tab.dataset.view === name));
  }
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${name}`;
  if (book) {
    drawBooklet();
    drawEpub(null);
  }
}

function apply(state) {
  drawStatus(state);
  drawFailure(state.failure);
  // A server started again counts its builds from 1 again: its own name tells them apart.
  if (!state.book || `${state.server}/${state.book.generation}` === generation) return;
  const first = generation === null;
  book = state.book;
  generation = `${state.server}/${book.generation}`;
  document.title = `${book.title} · zinebuild serve`;
  $("#title").textContent = book.title;
  $("#downloads").replaceChildren(...book.downloads.map((d) => element("a", { href: d.url, text: d.format })));
  drawPieces();
  drawWarnings();
  drawPages();
  drawBooklet();
  const focus = book.pieces.find((p) => book.changed.includes(p.id));
  drawEpub(focus ? focus.epub : null);
  document.body.dataset.generation = String(book.generation);
  if (!first && book.focus_page && view === "pages") showPage(book.focus_page);
}

function connect() {
  const events = new EventSource("/events");
  events.onmessage = (message) => apply(JSON.parse(message.data));
  // EventSource reconnects by itself (after a restart of `zinebuild serve`, say): only say so meanwhile.
  events.onerror = () => {
    $("#status").textContent = "not connected: is `zinebuild serve` still running?";
    $("#status").className = "status failed";
  };
}

document.addEventListener("DOMContentLoaded", () => {
  for (const tab of document.querySelectorAll(".tabs button")) tab.addEventListener("click", () => choose(tab.dataset.view));
  $("#spreads").addEventListener("change", (event) => $("#pages").classList.toggle("spreads", event.target.checked));
  $("#epub-piece").addEventListener("change", () => drawEpub(null));
  connect();
});
