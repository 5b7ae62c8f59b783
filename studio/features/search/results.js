/* Studio search, in the page once search is wanted (studio-search-ui.js, started by the
 * stand-in worker of loader.js). Material draws the first results from the worker's
 * RESULT message; this adds what Material's list cannot know:
 * - the true number of matching pages (the worker sends the first page of results and
 *   `total`), in Material's own words (「24 个符合条件的结果」);
 * - 「显示更多」 at the end of the list: the next results, drawn as Material draws a result
 *   (same classes, same highlight links), appended without redrawing the list;
 * - which query the list answers (`data-query`): Material's list may show an answer that
 *   arrives after the box changed (「没有」 for an older, empty query), so a test or a
 *   script waits for the list of the query it typed. */
window.StudioSearchUI = (() => {
  "use strict"
  const RESULT = 3, MORE = "studio-more", MORE_RESULT = "studio-more-result"
  const config = JSON.parse((document.getElementById("__config") || {}).textContent || "{}")
  const base = new URL(config.base || ".", location.href)
  const words = config.translations || {}
  const zh = /^zh/i.test(document.documentElement.lang || "zh")
  const LABEL = zh ? "显示更多" : "Show more"
  const LEFT = zh ? "还有 # 个" : "# more"
  let state = { total: 0, shown: 0 }

  const counted = n => (words["search.result.other"] || "# 个符合条件的结果").replace("#", n)

  function link(doc, parent) {
    const url = new URL(doc.location, base)
    const found = Object.keys(doc.terms || {}).filter(t => doc.terms[t])
    if ((config.features || []).includes("search.highlight") && found.length)
      url.searchParams.set("h", found.join(" "))
    const a = document.createElement("a")
    a.href = url.href
    a.className = "md-search-result__link"
    a.tabIndex = -1
    const article = document.createElement("article")
    article.className = "md-search-result__article md-typeset"
    article.dataset.mdScore = (doc.score || 0).toFixed(2)
    let html = parent ? `<div class="md-search-result__icon md-icon"></div><h1>${doc.title}</h1>` : `<h2>${doc.title}</h2>`
    if (doc.text) html += doc.text  // the worker's snippet: escaped text with <mark>
    const missing = Object.keys(doc.terms || {}).filter(t => !doc.terms[t])
    if (missing.length) {
      const esc = s => s.replace(/&/g, "&amp;").replace(/</g, "&lt;")
      html += `<p class="md-search-result__terms">${words["search.result.term.missing"] || "缺少"}: `
        + missing.map(t => `<del>${esc(t)}</del>`).join(" ") + "</p>"
    }
    article.innerHTML = html
    a.appendChild(article)
    return a
  }

  function item(group) {  // the page, then its best section, as Material shows them
    const li = document.createElement("li")
    li.className = "md-search-result__item"
    group.slice(0, 2).forEach((doc, i) => li.appendChild(link(doc, i === 0)))
    return li
  }

  function button(list, worker) {
    let li = list.querySelector(".studio-search-more")
    if (state.shown >= state.total) {
      if (li) li.remove()
      return
    }
    if (!li) {
      li = document.createElement("li")
      li.className = "md-search-result__item studio-search-more"
      const b = document.createElement("button")
      b.type = "button"
      b.className = "md-search-result__link"
      b.style.cssText = "display:block;width:100%;padding:.6rem 1.2rem;text-align:left;cursor:pointer;"
        + "color:var(--md-accent-fg-color);font-size:.64rem"
      b.addEventListener("click", ev => {
        ev.preventDefault()
        b.disabled = true
        worker.postMessage({ type: MORE, data: { from: state.shown } })
      })
      li.appendChild(b)
      list.appendChild(li)
    }
    const b = li.querySelector("button")
    b.disabled = false
    b.textContent = `${LABEL}（${LEFT.replace("#", state.total - state.shown)}）`
  }

  return (message, worker) => {
    const meta = document.querySelector(".md-search-result__meta")
    const list = document.querySelector(".md-search-result__list")
    if (!message || !meta || !list) return
    const data = message.data || {}
    if (message.type === RESULT && typeof data.asked === "string") list.dataset.query = data.asked
    if (message.type === RESULT && typeof data.total === "number") {
      state = { total: data.total, shown: (data.items || []).length }
      if (data.total > state.shown) meta.textContent = counted(data.total)
      button(list, worker)
    } else if (message.type === MORE_RESULT && data.from === state.shown) {
      const more = list.querySelector(".studio-search-more")
      for (const group of data.items || []) list.insertBefore(item(group), more)
      state.shown += (data.items || []).length
      state.total = data.total
      button(list, worker)
    }
  }
})()
