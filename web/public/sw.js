// The wall's safety net: a kiosk reloaded while the server is down (a power cut on the wall, a
// redeploy) shows the screen with its "offline" banner and reconnects by itself, never the browser's
// error page. The page and its content-hashed assets come from this cache when the network fails;
// screen definitions, region outlines and the city's name too (definitions, not records). Live data never is cached.
const CACHE = 'ioc-shell-v1'
const DEFINITIONS = /^\/(api\/v1\/(screens|metrics|catalog|regions\/)|city\.json$)/

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      const res = await fetch('/', { cache: 'no-store' })
      if (!res.ok) return
      const html = await res.clone().text()
      await cache.put('/', res)
      // The entry script and styles are named in the page; later chunks are cached as they load.
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
      await cache.addAll(assets)
    })().then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  if (req.mode === 'navigate') {
    // Network first: a redeploy shows at once; the cached page only when the server is unreachable.
    event.respondWith(networkThenCache(req, '/'))
  } else if (url.pathname.startsWith('/assets/')) {
    // Content-hashed names never change their bytes.
    event.respondWith(cacheThenNetwork(req))
  } else if (DEFINITIONS.test(url.pathname)) {
    event.respondWith(networkThenCache(req, url.pathname + url.search))
  }
})

async function networkThenCache(req, key) {
  const cache = await caches.open(CACHE)
  try {
    const res = await fetch(req)
    if (res.ok) await cache.put(key, res.clone())
    return res
  } catch (err) {
    const hit = await cache.match(key)
    if (hit) return hit
    throw err
  }
}

async function cacheThenNetwork(req) {
  const cache = await caches.open(CACHE)
  const hit = await cache.match(req)
  if (hit) return hit
  const res = await fetch(req)
  if (res.ok) await cache.put(req, res.clone())
  return res
}
