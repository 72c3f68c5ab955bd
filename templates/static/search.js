// The search page (templates/search.html, nashra/render/search.py): runs the query in ?q= with
// Pagefind's script and lists the results in <main>. The index is in shards (pagefind/<year>/ and
// pagefind/<month>/, data-shards, newest first): the newest shard's pagefind.js is imported from the
// site's own folder and every other shard merged into it (mergeIndex), so one search runs over all of
// them and Pagefind hands back one list, sorted by score, and filters with their counts summed.
// Loaded only by the search page; every word it shows comes from the page (nashra/words.py).
const MAX_RESULTS = 20;
const EXCERPT_WORDS = 30;

const box = document.getElementById("search");
const status = document.getElementById("search-status");
const list = box.querySelector(".search-results");
const input = document.getElementById("site-search-q");
const folds = JSON.parse(box.dataset.folds);
const forms = JSON.parse(box.dataset.forms);
const lang = document.documentElement.lang || "ar";
const numbers = new Intl.NumberFormat(`${lang}-u-nu-${box.dataset.digits}`);
const plurals = new Intl.PluralRules(lang);
const shards = JSON.parse(box.dataset.shards || "[]");

// The query folded as the indexed text was (render/search.py's fold, the same table).
const fold = (text) => Array.from(text, (ch) => folds[ch] ?? ch).join("");

const say = (text) => {
  status.textContent = text;
};

const counted = (n) => forms[plurals.select(n)].replace("{n}", numbers.format(n));

// The article's own text: the indexed (folded) text with the folded letters put back, each given by its
// position and letter in meta.unfold (render/search.py's unfold). Positions count code points.
function original(content, unfolding) {
  const chars = Array.from(content);
  for (const [, at, ch] of unfolding.matchAll(/(\d+)(\D)/gu)) chars[Number(at)] = ch;
  return chars.join("");
}

// The excerpt in the article's own spelling: folding kept every letter and space in place, so the
// original splits into the same words as the indexed text, and Pagefind's word locations point into it.
function excerpt(words, locations) {
  const marked = new Set(locations);
  let start = 0;
  let best = -1;
  for (const at of locations) {
    const from = Math.max(0, at - 5);
    const count = locations.filter((l) => l >= from && l < from + EXCERPT_WORDS).length;
    if (count > best) {
      best = count;
      start = from;
    }
  }
  const p = document.createElement("p");
  p.className = "excerpt";
  if (start > 0) p.append("… ");
  const end = Math.min(words.length, start + EXCERPT_WORDS);
  for (let i = start; i < end; i++) {
    if (i > start) p.append(" ");
    if (marked.has(i)) {
      const mark = document.createElement("mark");
      mark.textContent = words[i];
      p.append(mark);
    } else {
      p.append(words[i]);
    }
  }
  if (end < words.length) p.append(" …");
  return p;
}

function item(data) {
  const meta = data.meta;
  const li = document.createElement("li");
  li.className = "search-result";
  const h2 = document.createElement("h2");
  const a = document.createElement("a");
  a.href = data.url;
  a.textContent = meta.title;
  h2.append(a);
  const line = document.createElement("p");
  line.className = "meta";
  const time = document.createElement("time");
  time.dateTime = meta.datetime;
  time.textContent = meta.date;
  line.append(time);
  for (const part of [meta.source, meta.topics]) {
    if (!part) continue;
    const sep = document.createElement("span");
    sep.className = "sep";
    sep.setAttribute("aria-hidden", "true");
    sep.textContent = " · ";
    line.append(sep, part);
  }
  li.append(h2, line, excerpt(original(data.content, meta.unfold || "").split(" "), data.locations));
  return li;
}

let loaded = null;

// Pagefind with every shard merged in (once), or null when the site has no article to search.
function pagefindOfAllShards() {
  loaded ??= (async () => {
    if (!shards.length) return null;
    const pagefind = await import(box.dataset.pagefind);
    await Promise.all(shards.slice(1).map((path) => pagefind.mergeIndex(path)));
    return pagefind;
  })();
  return loaded;
}

async function run(query) {
  list.hidden = true;
  list.replaceChildren();
  if (!query) {
    say(box.dataset.prompt);
    return;
  }
  say(box.dataset.loading);
  try {
    const pagefind = await pagefindOfAllShards();
    const search = pagefind ? await pagefind.search(fold(query)) : { results: [] };
    const found = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
    if (!found.length) {
      say(box.dataset.none.replace("{q}", query));
      return;
    }
    list.append(...found.map(item));
    list.hidden = false;
    say(box.dataset.found.replace("{count}", counted(search.results.length)).replace("{q}", query));
  } catch (error) {
    console.error(error);
    say(box.dataset.failed);
  }
}

const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
input.value = query;
document.title = query ? `${query} — ${document.title}` : document.title;
run(query).finally(() => {
  box.dataset.state = "done"; // for tests: the results or the message are shown
});
