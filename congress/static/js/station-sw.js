// The station's service worker: a station page reloaded while the venue's network is down still
// opens, from the copies kept here, and goes on checking badges against the list in IndexedDB.
// Network first (the page and its scripts stay current); the API is never cached.
const CACHE = "congres-station-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.add(new Request(self.registration.scope, { cache: "reload" })))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

function cacheable(url) {
  return url.origin === self.location.origin && !url.pathname.startsWith("/api/");
}

// The page tells which files it loaded (styles, modules, the WebAssembly decoder once used).
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.cache) || [];
  const wanted = urls.map((u) => new URL(u, self.location.href)).filter(cacheable).map((u) => u.href.split("#")[0]);
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(wanted.map((u) => cache.add(u).catch(() => null)))));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error())),
  );
});
