/* Studio search, inlined in every page: nothing for search loads until it is wanted.
 * Material creates its search worker when the page loads; here the worker it gets is a
 * stand-in that keeps Material's messages until the search box gets focus or a key is
 * pressed in it, then starts Studio's worker (studio-search.js) and the result helper
 * (studio-search-ui.js: the true count and 「显示更多」). The page's search form carries
 * no name, so Material does not fetch its own (empty) index either; the stand-in sends
 * the worker's SETUP itself. */
(() => {
  "use strict"
  const Native = window.Worker
  // once per window (instant navigation runs a new page's scripts again); not from file://,
  // where Material's iframe shim stands in for workers
  if (!Native || Native.studio || location.protocol === "file:") return
  window.Worker = function (url, options) {
    if (!/studio-search\.js/.test(String(url))) return new Native(url, options)
    const port = new EventTarget(), queue = [], href = new URL(url, location.href)
    let worker = null
    port.postMessage = message => worker ? worker.postMessage(message) : queue.push(message)
    port.terminate = () => worker && worker.terminate()
    const start = () => {
      if (worker) return
      worker = new Native(url, options)
      const ui = document.createElement("script")
      ui.src = new URL("studio-search-ui.js?v=" + (href.searchParams.get("v") || ""), href).href
      let last = null
      ui.onload = () => last && window.StudioSearchUI && window.StudioSearchUI(last, worker)
      document.head.appendChild(ui)
      worker.addEventListener("message", ev => {
        port.dispatchEvent(new MessageEvent("message", { data: ev.data }))
        last = ev.data  // Material has drawn the list: the helper adds to it
        if (window.StudioSearchUI) window.StudioSearchUI(ev.data, worker)
      })
      worker.postMessage({ type: 0, data: {} })  // SETUP
      queue.splice(0).forEach(message => worker.postMessage(message))
    }
    const wanted = ev => ev.target && ev.target.closest && ev.target.closest(".md-search, [for=__search]") && start()
    document.addEventListener("focusin", wanted, true)
    document.addEventListener("keydown", wanted, true)
    document.addEventListener("change", ev => ev.target && ev.target.id === "__search" && ev.target.checked && start(), true)
    const active = document.activeElement
    if (active && active.closest && active.closest(".md-search")) start()
    return port
  }
  window.Worker.prototype = Native.prototype
  window.Worker.studio = true
})()
