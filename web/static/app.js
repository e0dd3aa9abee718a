// Docent's progressive enhancement: answers stream in as they are written, and re-index
// progress updates live. Without this script every page still works through plain forms.
"use strict";

(function () {
  const form = document.querySelector('[data-testid="ask-form"]');
  if (form && window.fetch && window.ReadableStream && window.TextDecoder) {
    form.addEventListener("submit", (ev) => {
      const question = form.q.value.trim();
      if (!question) return;
      ev.preventDefault();
      ask(form, question);
    });
  }
  document.querySelectorAll('[data-testid="job"][data-job]').forEach((el) => {
    if (el.dataset.job) follow(el, el.dataset.job);
  });
  document.querySelectorAll('button[data-testid="reindex"]').forEach((btn) => {
    btn.addEventListener("click", async (ev) => {
      ev.preventDefault();
      const source = btn.dataset.source;
      const box = document.querySelector(`[data-testid="admin-source"][data-source="${CSS.escape(source)}"] [data-testid="job"]`);
      const res = await fetch(`/api/sources/${encodeURIComponent(source)}/reindex`, { method: "POST" });
      const body = await res.json();
      if (!res.ok) { box.textContent = body.error || "Could not start the re-index."; return; }
      follow(box, body.job);
    });
  });
  // "/" focuses the question or search box, as on most search sites, unless the reader is
  // already typing somewhere.
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
    const box = document.querySelector('form.ask input[name="q"], form.search input[name="q"]');
    if (box) { ev.preventDefault(); box.focus(); }
  });
  // Copy answer: the text of the answer the button is under, as the reader sees it.
  if (navigator.clipboard && window.isSecureContext !== false) {
    document.querySelectorAll('button[data-testid="copy-answer"]').forEach((btn) => {
      btn.hidden = false;
      btn.addEventListener("click", async () => {
        const text = btn.closest(".answer").querySelector('[data-testid="answer-text"]');
        try {
          await navigator.clipboard.writeText(text ? text.innerText.trim() : "");
          btn.textContent = "Copied";
        } catch {
          btn.textContent = "Could not copy";
        }
        setTimeout(() => { btn.textContent = "Copy answer"; }, 2000);
      });
    });
  }
  const passage = document.getElementById("passage");
  if (passage) { passage.scrollIntoView({ block: "center" }); passage.focus({ preventScroll: true }); }
})();

// ask posts the question and renders the server-sent events: the curated answer, when one
// matches, at once; the tokens as they come; then the final answer with its citations and sources.
async function ask(form, question) {
  const section = document.getElementById("answer");
  const text = section.querySelector('[data-testid="answer-text"]');
  const badge = section.querySelector('[data-testid="mode"]');
  const error = section.querySelector('[data-testid="error"]');
  const sources = document.getElementById("sources");
  section.hidden = false;
  section.setAttribute("aria-busy", "true");
  text.textContent = "";
  badge.textContent = "Searching…";
  error.hidden = true;
  sources.replaceChildren();
  const curated = document.getElementById("curated");
  if (curated) curated.replaceChildren();
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const res = await fetch("/api/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ question, conversation: form.c.value }),
    });
    if (!res.ok || !res.body) {
      const body = await res.json().catch(() => ({}));
      throw new Error(body.error || `The server answered ${res.status}.`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const ev = parseEvent(raw);
        if (ev.name === "curated") {
          renderCurated(ev.data);
        } else if (ev.name === "token") {
          if (!text.dataset.streaming) { badge.textContent = "Answering…"; text.dataset.streaming = "1"; }
          text.append(ev.data.text);
        } else if (ev.name === "answer") {
          render(ev.data, text, badge, sources, form, question);
        } else if (ev.name === "error") {
          if (ev.data.response) render(ev.data.response, text, badge, sources, form, question);
          error.textContent = ev.data.error;
          error.hidden = false;
        }
      }
    }
  } catch (e) {
    error.textContent = e.message || "The answer could not be loaded.";
    error.hidden = false;
    badge.textContent = "";
  } finally {
    delete text.dataset.streaming;
    section.setAttribute("aria-busy", "false");
    button.disabled = false;
  }
}

// answerBlock builds the element of one answer block.
function answerBlock(b) {
  const el = (tag, children) => { const e = document.createElement(tag); e.append(...children); return e; };
  switch (b.kind) {
    case "ul": case "ol": {
      const list = el(b.kind, (b.items || []).map((item) => el("li", answerInlines(item))));
      // A nested list follows the item it belongs to, indented by app.css (markdown.go's nestClass).
      const level = Math.min(Number(b.level) || 0, 8);
      if (level > 0) list.className = "nest-" + level;
      if (b.kind === "ol" && Number(b.start) > 0) list.start = Number(b.start);
      return list;
    }
    case "pre": {
      const pre = document.createElement("pre");
      pre.textContent = b.text || "";
      return pre;
    }
    case "code": {
      const code = document.createElement("code");
      code.textContent = b.text || "";
      return el("pre", [code]);
    }
    case "h": {
      const p = el("p", answerInlines(b.inline));
      p.className = "answer-heading";
      return p;
    }
    default:
      return el("p", answerInlines(b.inline));
  }
}

// answerInlines builds the text runs of a block: text nodes, emphasis, code, citations.
function answerInlines(inlines) {
  return (inlines || []).map((x) => {
    const tag = { em: "em", strong: "strong", code: "code", cite: "a", link: "a" }[x.kind];
    if (!tag || ((x.kind === "cite" || x.kind === "link") && !safeURL(x.url))) return document.createTextNode(x.text);
    const e = document.createElement(tag);
    e.textContent = x.text;
    if (x.kind === "cite") { e.className = x.weak ? "cite weak" : "cite"; e.href = x.url; e.title = x.title || ""; }
    if (x.kind === "link") { e.className = "doc-link"; e.href = x.url; }
    return e;
  });
}

function parseEvent(raw) {
  let name = "message", data = "";
  for (const line of raw.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  try { return { name, data: JSON.parse(data) }; } catch { return { name: "error", data: { error: "Malformed answer from the server." } }; }
}

// render shows the final answer: its Markdown blocks (parsed by the server into paragraphs,
// lists, code and inline runs, see web/markdown.go) with [n] links, the badge and the sources
// list. All text goes in through textContent, so nothing from a document or a model is ever
// parsed as HTML, and links are made only to Docent's own paths.
function render(resp, text, badge, sources, form, question) {
  badge.textContent = resp.mode === "extractive" ? "Extractive answer: quoted from the sources" : `Answered by ${resp.model}`;
  // What was searched, when it is not what was typed (a misspelling read as a word of the
  // documents, a follow-up made whole); the server reads questions without the characters that
  // show nothing (textseg.Invisible), so neither is compared with them.
  const typed = question.replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\u00AD]/g, "").trim();
  if (resp.question && resp.question !== typed) badge.textContent += ` · searched for “${resp.question}”`;
  text.replaceChildren(...(resp.blocks || []).map(answerBlock));
  renderCurated(resp);
  const list = resp.found ? resp.citations : resp.closest || [];
  if (list.length) {
    const section = document.createElement("section");
    section.className = "sources";
    section.dataset.testid = "sources";
    const h = document.createElement("h2");
    h.textContent = resp.found ? "Sources" : "Closest documents";
    const ol = document.createElement("ol");
    for (const c of list) {
      const li = document.createElement("li");
      li.value = c.n;
      li.dataset.testid = "source";
      const a = document.createElement("a");
      a.className = "title";
      a.textContent = c.title;
      if (safeURL(c.url)) a.href = c.url;
      li.append(a);
      if (resp.found && !c.supported) {
        const flag = document.createElement("span");
        flag.className = "flag";
        flag.textContent = "weakly supported";
        li.append(" ", flag);
      }
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.textContent = [c.source, c.document, c.heading, c.page > 0 ? `page ${c.page}` : ""].filter(Boolean).join(" · ");
      const snip = document.createElement("p");
      snip.className = "snippet";
      snip.textContent = c.snippet;
      li.append(meta, snip);
      ol.append(li);
    }
    section.append(h, ol);
    sources.replaceChildren(section);
  }
  form.c.value = resp.conversation || "";
  const rating = document.querySelector('[data-testid="feedback"]');
  if (rating && resp.turn > 0) {
    rating.conversation.value = resp.conversation;
    rating.turn.value = resp.turn;
    rating.hidden = false;
  }
  const share = document.querySelector('[data-testid="share"]');
  if (share && resp.turn > 0) {
    share.conversation.value = resp.conversation;
    share.turn.value = resp.turn;
    share.hidden = false;
  }
  const url = new URL(window.location.href);
  url.searchParams.set("q", question);
  url.searchParams.set("c", form.c.value);
  history.replaceState(null, "", url);
}

// renderCurated shows the curated answer that matched the question, above the answer, as the
// page does (web/ask.templ curatedAnswer): text only, through textContent. resp is the stream's
// "curated" event, sent before the generated answer, or the final response.
function renderCurated(resp) {
  const box = document.getElementById("curated");
  if (!box) return;
  box.replaceChildren();
  const c = resp.curated;
  if (!c) return;
  const section = document.createElement("section");
  section.className = "answer curated";
  section.dataset.testid = "curated";
  const label = document.createElement("p");
  label.className = "badge";
  label.dataset.testid = "curated-label";
  label.textContent = `Curated answer · ${c.owner} · reviewed ${c.reviewed}`;
  section.append(label);
  if (c.expired) {
    const flag = document.createElement("span");
    flag.className = "flag";
    flag.dataset.testid = "curated-expired";
    flag.textContent = `review overdue since ${c.review_by}`;
    section.append(flag);
  }
  const text = document.createElement("div");
  text.className = "answer-text";
  text.dataset.testid = "curated-text";
  text.replaceChildren(...(resp.curated_blocks || []).map(answerBlock));
  section.append(text);
  box.append(section);
}

// safeURL accepts only a document link, optionally to a passage: the shape web/markdown.go's
// docLink allows, so no link can reach another route.
function safeURL(u) {
  return typeof u === "string" && /^\/doc\/[0-9]+(\?chunk=[0-9]+)?(#passage)?$/.test(u);
}

// follow polls a re-index job until it ends, showing its progress.
async function follow(box, id) {
  for (;;) {
    const res = await fetch(`/api/jobs/${encodeURIComponent(id)}`);
    if (!res.ok) { box.textContent = "Progress unavailable."; return; }
    const job = await res.json();
    box.replaceChildren();
    if (job.status === "queued") {
      box.textContent = "Re-index queued…";
    } else if (job.status === "running") {
      const p = document.createElement("progress");
      p.max = Math.max(job.total, 1);
      p.value = job.done;
      const s = document.createElement("span");
      s.textContent = ` Re-indexing: ${job.done} of ${job.total} files${job.eta ? ", about " + job.eta + " left" : ""} ${job.current ? "(" + job.current + ")" : ""}`;
      box.append(p, s);
    } else if (job.status === "failed" || job.status === "cancelled") {
      box.textContent = `Re-index ${job.status}: ${job.error}`;
      return;
    } else {
      const s = job.summary || {};
      box.textContent = `Re-index finished: ${s.seen || 0} files, ${(s.added || 0) + (s.updated || 0)} changed, ${s.deleted || 0} removed, ${s.failed || 0} failed.`;
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
