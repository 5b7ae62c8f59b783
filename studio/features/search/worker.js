/*
 * Studio search worker. Material's search box talks to it with Material's own worker
 * messages (SETUP -> READY, QUERY -> RESULT), so the box and the result list stay as they are.
 *
 * engine=pagefind: the query is normalized (traditional -> simplified, full-width -> ASCII)
 *   and cut into words exactly as the pages were cut at build time (jieba's algorithm over
 *   the site's vocabulary, fetched in small shards), then looked up in Pagefind's chunked
 *   index. Results are turned into Material's result items with a highlighted snippet.
 * engine=lunr: Material's own worker does the search (e.g. from file://); this one only
 *   normalizes the query first.
 */
"use strict"

/* Under Material's iframe-worker shim (file://) this runs in an iframe: its own URL is the
   script element's, and importScripts may finish later. */
const SRC = (typeof document !== "undefined" && document.currentScript && document.currentScript.src)
  || self.location.href
const PARAMS = new URL(SRC).searchParams
const ENGINE = PARAMS.get("engine") || "pagefind"
const VERSION = PARAMS.get("v") || ""
const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
const MORE = "studio-more", MORE_RESULT = "studio-more-result"  // Studio's own: Material ignores them

importScripts(new URL("studio-t2s.js?v=" + VERSION, SRC).href)
let T2S = null
function table() {
  if (T2S === null && self.STUDIO_T2S) {
    T2S = new Map()
    const pairs = [...self.STUDIO_T2S]
    for (let i = 0; i + 1 < pairs.length; i += 2) T2S.set(pairs[i], pairs[i + 1])
  }
  return T2S || new Map()
}

/* The index spelling: one character for one, as studio/features/search/normalize.py */
function normalize(text) {
  const t2s = table()
  let out = ""
  for (const ch of text) {
    const code = ch.charCodeAt(0)
    if (t2s.has(ch)) out += t2s.get(ch)
    else if ((code >= 0xFF10 && code <= 0xFF19) || (code >= 0xFF21 && code <= 0xFF3A) || (code >= 0xFF41 && code <= 0xFF5A))
      out += String.fromCharCode(code - 0xFEE0)
    else out += ch
  }
  return out
}
const fold = text => normalize(text).replace(/[A-Z]/g, c => c.toLowerCase())

/* Character annotations (pinyin, zhuyin, flattened ruby) as in normalize.py's strip_annotations */
const TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
const HAN = "[\\u3400-\\u4DBF\\u4E00-\\u9FFF]"
const ZHUYIN = "[\\u3105-\\u312F\\u31A0-\\u31BFˊˇˋ˙]"
const SYLLABLE = `(?:[a-zü${TONED}]*[${TONED}][a-zü${TONED}]*|[a-zü]+[1-5])`
const ANNOTATION = new RegExp(`(?<=${HAN})\\s?[(（]\\s*(?:${SYLLABLE}(?:[\\s'’·]+${SYLLABLE})*|${ZHUYIN}+)\\s*[)）]`, "g")
const NEUTRAL = new RegExp(`(?<=${HAN})[(（]\\s*[a-zü]{1,6}\\s*[)）]`, "g")
const INLINE_PINYIN = new RegExp(`(?<=${HAN})${SYLLABLE}(?=${HAN}|[，。、；：！？,.;:!?\\s]|$)`, "g")
const INLINE_ZHUYIN = new RegExp(`(?<=${HAN})${ZHUYIN}+`, "g")
function stripAnnotations(text) {
  if (!/[^\x00-\x7f]/.test(text)) return text
  const marked = (text.match(ANNOTATION) || []).length
  let out = text.replace(ANNOTATION, "")
  if (marked >= 2) out = out.replace(NEUTRAL, "")
  out = out.replace(INLINE_ZHUYIN, "")
  if ((out.match(INLINE_PINYIN) || []).length >= 2) out = out.replace(INLINE_PINYIN, "")
  return out
}

if (ENGINE === "lunr") {
  /* Runs before Material's own listener, which reads the same (now normalized) message */
  addEventListener("message", ev => {
    if (ev.data && ev.data.type === QUERY && typeof ev.data.data === "string")
      ev.data.data = normalize(ev.data.data)  // and Chinese apart from Latin, which Material
        .replace(/(\p{sc=Han})(?=[A-Za-z0-9])|([A-Za-z0-9])(?=\p{sc=Han})/gu, "$1$2 ")  // glues
  })
  importScripts(new URL(PARAMS.get("lunr"), SRC).href)
} else {
  const ROOT = new URL("../../../", SRC)
  let state = null
  let latest = 0

  /* A file that fails to load (a phone losing the network for a moment, a busy server
     refusing a connection or answering 503) is fetched again after a short wait, twice.
     Every fetch of this worker goes through here, Pagefind's too: Pagefind keeps an index
     chunk that failed to load as empty for the rest of the visit, so one lost request
     would lose a word (「名创优品」 finding nothing). The body is read here as well, so a
     connection cut halfway is retried like one refused. */
  const RETRY_AFTER = [100, 500]  // ms
  const NO_BODY = new Set([101, 204, 205, 304])
  const fetchOnce = self.fetch.bind(self)
  self.fetch = async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= RETRY_AFTER.length
      try {
        const response = await fetchOnce(input, init)
        if (NO_BODY.has(response.status) || (response.status < 500 && response.status !== 429) || last) {
          if (NO_BODY.has(response.status)) return response
          const body = await response.arrayBuffer()
          return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers })
        }
      } catch (err) {
        if (last) throw err
      }
      await new Promise(resolve => setTimeout(resolve, RETRY_AFTER[attempt]))
    }
  }

  /* import() is no fetch: a module that failed to load stays failed under its URL, so it is
     asked for again under another (Pagefind is given its folder, not told by its URL) */
  async function importAgain(url) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await import(attempt ? `${url.href}?attempt=${attempt}` : url.href)
      } catch (err) {
        if (attempt >= RETRY_AFTER.length) throw err
        await new Promise(resolve => setTimeout(resolve, RETRY_AFTER[attempt]))
      }
    }
  }

  const setup = () => state = state || (async () => {
    const manifest = await (await fetch(new URL("search/studio/manifest.json?v=" + VERSION, ROOT))).json()
    const pagefind = await importAgain(new URL("search/pagefind/pagefind.js", ROOT))
    // long pages (a glossary, a teardown) should not lose to short ones that mention a word
    // once, nor a long calendar that repeats it win over the page about it (tuned on
    // tests/test_search_queries.py: 0.3 and 0.75 both rank worse)
    const ranking = { pageLength: 0.5 }
    await pagefind.options({ basePath: new URL("search/pagefind/", ROOT).href, baseUrl: "/", ranking })
    await pagefind.init()
    // a big site's index comes in parts (indexer.py INDEX_PAGES): searched together, on the
    // first part's runtime and wasm
    await Promise.all((manifest.indexes || []).map(path =>
      pagefind.mergeIndex(new URL(path, ROOT).href, { baseUrl: "/", ranking })))
    return { manifest, pagefind, shards: new Map() }
  })().catch(err => { state = null; throw err })  // failed to start: the next query tries again

  addEventListener("message", async ev => {
    const message = ev.data || {}
    if (message.type === SETUP) {
      zensical = zensicalIndex(message.data)  // Zensical's UI sends its search.json here
      setup().catch(err => console.warn("Studio search: setup failed", err))
      postMessage({ type: READY })
    } else if (message.type === QUERY) {
      const id = ++latest
      let data = { items: [] }
      try {
        const q = message.data
        const text = typeof q === "string" ? q : typeof (q && q.input) === "string" ? q.input : ""
        const state = await setup()
        // once more if a file failed to load (a busy server): an empty list would say 「没有」
        data = await search(state, text).catch(err => id === latest ? search(state, text) : Promise.reject(err))
        if (zensical) data = toZensical(zensical, data)
        // the query answered: Material's list says 「没有」 for an empty answer that comes
        // after the box changed, so whoever waits on the list can tell (results.js)
        data.asked = text
      } catch (err) {
        console.warn("Studio search failed:", err)
      }
      if (zensical && !data.pagination) data = toZensical(zensical, { items: [] })
      if (id === latest)  // an answer to an older query would replace a newer one
        postMessage({ type: RESULT, data })
    } else if (message.type === MORE) {
      const id = latest
      let data = { items: [], total: 0, from: 0 }
      try {
        data = await more(await setup(), Number(message.data && message.data.from) || 0)
      } catch (err) {
        console.warn("Studio search failed:", err)
      }
      if (id === latest) postMessage({ type: MORE_RESULT, data })
    }
  })

  /* Zensical: its UI renders title, text and path from its own search.json items, picked by
     `id` (the item's index there); the worker sends ids and highlight ranges (offsets in
     the raw title/text strings), flat, with pagination. */
  let zensical = null
  function zensicalIndex(data) {
    if (!data || !Array.isArray(data.items)) return null  // Material sends {config, docs}
    const byLoc = new Map()
    data.items.forEach((doc, i) => byLoc.set(new URL(doc.location, ROOT).href, i))
    return { docs: data.items, byLoc }
  }
  function ranges(raw, words) {
    const text = fold(raw), out = []  // fold keeps offsets: one character for one
    const tags = [...text.matchAll(/<[^>]*>/g)].map(m => [m.index, m.index + m[0].length])
    for (const w of words) {
      const f = fold(w)
      for (let i = text.indexOf(f); f && i >= 0; i = text.indexOf(f, i + f.length))
        if (!tags.some(([a, b]) => i < b && i + f.length > a)) out.push({ start: i, end: i + f.length, value: f.length })
    }
    out.sort((a, b) => a.start - b.start)
    return out.filter((r, k) => k === 0 || r.start >= out[k - 1].end)
  }
  function toZensical(z, data) {
    const items = [], seen = new Set()
    for (const group of data.items) for (const item of group) {
      let id = z.byLoc.get(new URL(item.location, ROOT).href)
      if (id === undefined) id = z.byLoc.get(new URL(item.location.split("#")[0], ROOT).href)
      if (id === undefined || seen.has(id)) continue
      seen.add(id)
      const words = Object.keys(item.terms || {}).filter(w => item.terms[w])
      const doc = z.docs[id]
      items.push({ id, matches: [
        { id: 2 * id, field: "title", value: { highlight: { ranges: ranges(doc.title || "", words) } }, score: item.score || 0 },
        { id: 2 * id + 1, field: "text", value: { highlight: { ranges: ranges(doc.text || "", words) } }, score: item.score || 0 }] })
    }
    return { items, query: { select: {}, values: [] }, aggregations: [], pagination: { total: items.length } }
  }

  /* Vocabulary shard holding the words that start with `ch` */
  function shard(state, ch) {
    const id = ch.codePointAt(0) % state.manifest.shards
    if (!state.shards.has(id)) {
      const url = new URL(`search/studio/vocab/${id}.json?v=${state.manifest.version}`, ROOT)
      /* A shard that still fails to load (fetch has retried) is fetched again by the next
         query; this one is cut into characters. */
      const get = () => fetch(url).then(r => { if (!r.ok) throw new Error(r.status); return r.json() })
      state.shards.set(id, get().catch(() => { state.shards.delete(id); return {} }))
    }
    return state.shards.get(id)
  }

  /* jieba's re_han_default: the runs it cuts; everything else is a character of its own */
  const RUN = /[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+/g
  const ENG = /^[a-zA-Z0-9]$/
  const WORDY = /[\p{L}\p{N}]/u

  /* Cut one run exactly as jieba.cut(run, HMM=False) does with the site's vocabulary */
  async function cutRun(state, run) {
    const chars = [...new Set(run)]
    const shards = await Promise.all(chars.map(ch => shard(state, ch)))
    const byChar = new Map(chars.map((ch, i) => [ch, shards[i]]))
    const entry = w => byChar.get(w[0])[w]
    const freq = w => { const e = entry(w); return Array.isArray(e) ? e[0] : e }
    const n = run.length, maxlen = state.manifest.maxlen, logtotal = state.manifest.logtotal
    const route = new Array(n + 1)
    route[n] = [0, 0]
    for (let i = n - 1; i >= 0; i--) {
      const ends = []  // jieba's DAG: dictionary words starting here, else the character alone
      for (let j = i; j < Math.min(n, i + maxlen); j++)
        if (freq(run.slice(i, j + 1)) > 0) ends.push(j)
      if (!ends.length) ends.push(i)
      let best = null
      for (const j of ends) {
        const f = freq(run.slice(i, j + 1))
        const score = Math.log(f > 0 ? f : 1) - logtotal + route[j + 1][0]
        if (best === null || score > best[0] || (score === best[0] && j > best[1])) best = [score, j]
      }
      route[i] = best
    }
    const words = []
    let buf = ""
    for (let x = 0; x < n;) {
      const y = route[x][1] + 1
      const w = run.slice(x, y)
      if (ENG.test(w)) buf += w
      else {
        if (buf) { words.push(buf); buf = "" }
        words.push(w)
      }
      x = y
    }
    if (buf) words.push(buf)
    const out = []
    for (const w of words) {
      const e = entry(w)
      if (Array.isArray(e)) out.push(...e[1].split(" "))
      else out.push(w)
    }
    return out
  }

  async function terms(state, query) {
    const text = fold(stripAnnotations(query))
    const out = []
    let last = 0
    for (const m of text.matchAll(RUN)) {
      for (const ch of text.slice(last, m.index)) out.push(ch)
      out.push(...await cutRun(state, m[0]))
      last = m.index + m[0].length
    }
    for (const ch of text.slice(last)) out.push(ch)
    return [...new Set(out.filter(w => WORDY.test(w)))]
  }

  /* Words that say what kind of question it is, not what it is about: they never make a
     page a partial match and are never reported missing (a page about 复购 answers
     「复购是什么」 without the word 什么). Words on most pages count the same way. */
  const QUESTION = new Set(("的 了 是 吗 呢 吧 啊 呀 么 和 与 及 或 在 有 把 被 给 对 从 到 就 都 也 还 要 会 能 "
    + "什么 为什么 为何 怎么 怎样 怎么样 如何 哪些 哪个 哪里 多少 几 是否 是不是 有没有 可以 应该 我 我们 你 你们 "
    + "一个 这个 那个 这些 那些 吗").split(" "))
  const COMMON = 0.3  // a word on more than this share of the pages is common

  /* The pages holding a word or one of its glossary names (企微 · 企业微信 · WeCom): for
     each page, the best of its scores and every location */
  async function lookup(state, word) {
    if (!state.names) {
      state.names = new Map()
      for (const group of state.manifest.synonyms || [])
        for (const name of group) if (!name.includes(" ")) state.names.set(name, group)
    }
    const names = state.names.get(word) || [word]
    // each part of a big site's index holds a page of the words it lacks (indexer.py
    // _words_page): it is never a result
    const hidden = state.hidden || (state.hidden = new Set(state.manifest.hidden || []))
    const found = await Promise.all(names.map(async n => {
      const f = await state.pagefind.search(n)
      return hidden.size ? { results: f.results.filter(r => !hidden.has(r.id)) } : f
    }))
    if (found.length === 1) return { results: found[0].results.map(r => ({ id: r.id, score: r.score, lists: [r.words], data: r.data })) }
    const pages = new Map()  // locations stay Pagefind's arrays: on 10,000 pages copying them costs seconds
    for (const f of found) for (const r of f.results) {
      const seen = pages.get(r.id)
      if (!seen) pages.set(r.id, { id: r.id, score: r.score, lists: [r.words], data: r.data })
      else {
        if (r.score > seen.score) { seen.score = r.score; seen.data = r.data }
        seen.lists.push(r.words)
      }
    }
    return { results: [...pages.values()] }
  }

  /* Every page holding a word of the query, best first: pages with every word, then pages
     with most of them (Material marks the missing ones, 「缺少」), each tier by score. */
  async function rank(state, query) {
    const words = await terms(state, query)
    if (!words.length) return { words, hits: [] }
    const pagesTotal = state.manifest.pages || 0
    // question words are looked up only when the query has nothing else: on a big site
    // their index chunks are the largest, and they decide nothing
    // so are the site's common words (manifest.common, counted at build time) when the query
    // has rarer ones: they would change the order little and cost the most
    const common = state.common || (state.common = new Set(state.manifest.common || []))
    const rare = words.filter(w => !QUESTION.has(w) && !common.has(w))
    const asked = rare.length ? rare : words.some(w => !QUESTION.has(w)) ? words.filter(w => !QUESTION.has(w)) : words
    const none = { results: [] }
    const found = await Promise.all(words.map(w => asked.includes(w) ? lookup(state, w) : none))
    const key = words.map((w, k) => !QUESTION.has(w) && found[k].results.length > 0
      && !(pagesTotal > 20 && found[k].results.length > COMMON * pagesTotal))
    let keys = key.filter(Boolean).length
    if (!keys) {  // a query of question words only: they are the query
      words.forEach((w, k) => { key[k] = found[k].results.length > 0 })
      keys = key.filter(Boolean).length
    }
    const need = Math.max(1, Math.ceil(keys / 2))
    const pages = new Map()
    found.forEach((f, k) => {
      for (const r of f.results) {
        let hit = pages.get(r.id)
        if (!hit) pages.set(r.id, hit = { result: r, matched: new Set(), keys: 0, score: 0, lists: [] })
        hit.matched.add(words[k])
        if (key[k]) hit.keys++
        hit.score += key[k] ? r.score : 0.25 * r.score
        hit.lists.push(...r.lists)
      }
    })
    const hits = [...pages.values()].filter(h => h.keys >= need)
      .sort((a, b) => b.keys - a.keys || b.score - a.score)
    return { words, key, keys, hits }
  }

  /* Material's items for hits[from, from + count) */
  async function load(ranked, from, count) {
    const { words, key, hits } = ranked
    const slice = hits.slice(from, from + count)
    const pages = await Promise.all(slice.map(h => h.result.data()))
    return pages.map((page, i) => {
      const hit = slice[i]
      page.locations = [...new Set(hit.lists.flat())].sort((a, b) => a - b)
      const terms = {}
      words.forEach((w, k) => { if (key[k] || hit.matched.has(w)) terms[w] = hit.matched.has(w) })
      return items(page, hit.score, terms)
    })
  }

  async function search(state, query) {
    const ranked = await rank(state, query)
    state.last = ranked
    const limit = state.manifest.results || 10
    const items = await load(ranked, 0, limit)
    return { items, total: ranked.hits.length, shown: items.length }
  }

  /* The next results of the last query (the page's 「显示更多」) */
  async function more(state, from) {
    const ranked = state.last
    if (!ranked) return { items: [], total: 0, from }
    const limit = state.manifest.results || 10
    const items = await load(ranked, from, limit)
    return { items, total: ranked.hits.length, from, shown: from + items.length }
  }

  const escape = s => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
  const LATIN_END = /[A-Za-z0-9]$/, LATIN_START = /^[A-Za-z0-9]/

  const CJK_END = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]$/
  const STOP_END = /[。！？!?；;：:]$/

  /* Words back into text: no space inside Chinese, one between Latin words. Pagefind ends
     each block with "." glued to its last word: that becomes "。" after Chinese. */
  function join(words) {
    let out = "", prev = ""
    for (let w of words) {
      let plain = w.replace(/<\/?mark>/g, "")
      const dot = /\.(<\/mark>)?$/.exec(w)
      if (dot && plain.length > 1) {
        const core = plain.slice(0, -1)
        const end = STOP_END.test(core) ? "" : CJK_END.test(core) ? "。" : ". "
        w = w.slice(0, dot.index) + (dot[1] || "") + end
        plain = core + end
      }
      if (out && LATIN_END.test(prev) && LATIN_START.test(plain)) out += " "
      out += w
      prev = plain.trimEnd()
    }
    return out.trimEnd()
  }

  const SNIPPET = 40  // words around the densest run of matches

  function snippet(words, marks, from, to) {
    const inside = marks.filter(l => l >= from && l < to)
    let start = from
    if (inside.length) {
      let best = -1
      for (const l of inside) {
        const s = Math.max(from, l - 6)
        const count = inside.filter(x => x >= s && x < s + SNIPPET).length
        if (count > best) { best = count; start = s }
      }
    }
    const end = Math.min(to, start + SNIPPET)
    const set = new Set(inside)
    const parts = []
    for (let i = start; i < end; i++)
      parts.push(set.has(i) ? `<mark>${escape(words[i])}</mark>` : escape(words[i]))
    const text = join(parts).replace(/。$/, "")
    return (start > from ? "…" : "") + text + (end < to ? "…" : "")
  }

  /* One page -> Material's items: the page (with the best snippet), then its sections */
  function items(page, score, terms) {
    const url = page.raw_url.replace(/^\//, "")
    const words = page.content.split(/[\r\n\s]+/g)
    const marks = page.locations || []
    const anchors = (page.anchors || []).slice().sort((a, b) => a.location - b.location)
    const body = anchors.find(a => a.id === "studio-body")
    const bodyStart = body ? body.location : 0
    const heads = anchors.filter(a => /^h\d$/i.test(a.element) && a.location >= bodyStart)
    const ranges = [{ id: null, title: page.meta.title, from: bodyStart, to: heads.length ? heads[0].location : words.length }]
    heads.forEach((h, i) => ranges.push({
      id: h.id, title: join(h.text.split(" ")), from: h.location, text: h.location + h.text.split(" ").length,
      to: i + 1 < heads.length ? heads[i + 1].location : words.length
    }))
    for (const r of ranges) r.count = marks.filter(l => l >= r.from && l < r.to).length
    const best = ranges.reduce((a, b) => (b.count > a.count ? b : a), ranges[0])
    /* Material shows the page, then sections scoring as high as it; the rest fold away.
       The best passage is shown once: under the page title, or as its section. */
    const article = {
      location: url, title: escape(page.meta.title || url), score, terms,
      text: best.id ? "" : snippet(words, marks, best.from, best.to)
    }
    const sections = ranges
      .filter(r => r.id && r.count)
      .sort((a, b) => (b === best) - (a === best) || b.count - a.count)
      .map(r => ({
        location: `${url}#${r.id}`, title: escape(r.title), terms,
        score: r === best ? score : score * 0.5 * r.count / Math.max(1, marks.length),
        text: snippet(words, marks, Math.min(r.text, r.to), r.to)
      }))
    return [article, ...sections]
  }
}
