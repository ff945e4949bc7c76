/* sitegen offline reading: keeps the pages a reader opened, and the newest articles, the search
   page and the theme files that offline.json (written by the build) lists; the search index too
   (most of the bytes: megabytes for a large archive) once the reader has opened the search page.
   Registered by reader.js at the site's root scope. Pages: network first, then the kept copy;
   fingerprinted files: kept copy first. A page that was not kept is answered with 404.html
   marked offline. */
'use strict';
var SCOPE = self.registration.scope;
var OPENED = 'sitegen-opened';  // pages the reader opened, at most MAX_OPENED, oldest dropped
var MAX_OPENED = 200;
var LISTED = 'sitegen-listed-';  // + version of offline.json (+ WITH_INDEX): what the build lists
var WITH_INDEX = '+search';
var INDEX_FILE = /^search\/./;  // the search index's files; 'search/' is the page
var MANIFEST = new URL('offline.json', SCOPE).href;
var FINGERPRINTED = /\.[0-9a-f]{10}\.(css|js)$/;

self.addEventListener('install', function (event) {
  event.waitUntil(sync().catch(function () {}));
  self.skipWaiting();
});
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.keep) event.waitUntil(keep(data.keep));
  if (data.sync) event.waitUntil(sync(data.search === true).catch(function () {}));
});
self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET' || request.url.indexOf(SCOPE) !== 0) return;
  if (request.mode === 'navigate') event.respondWith(page(request));
  else if (FINGERPRINTED.test(new URL(request.url).pathname)) event.respondWith(file(request));
  else event.respondWith(fetch(request).catch(function () { return kept(request); }));
});

function kept(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (hit) {
    return hit || Response.error();
  });
}

function remember(request, response) {  // a page the reader opened, now the newest kept
  return caches.open(OPENED).then(function (cache) {
    return cache.delete(request).then(function () { return cache.put(request, response); })
      .then(function () { return cache.keys(); })
      .then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_OPENED)).map(function (k) {
          return cache.delete(k);
        }));
      });
  });
}

function page(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === 'basic') remember(request.url, response.clone());
    return response;
  }, function () {
    return caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || offlinePage();
    });
  });
}

function offlinePage() {
  return caches.match(new URL('404.html', SCOPE).href).then(function (hit) {
    if (!hit) return Response.error();
    return hit.text().then(function (html) {
      return new Response(html.replace('data-kind="not_found"', 'data-kind="offline"'), {
        status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' }
      });
    });
  });
}

function file(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(OPENED).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function keep(urls) {  // pages opened before this worker was there, and their theme files
  return caches.open(OPENED).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      url = new URL(url, SCOPE).href;
      if (url.indexOf(SCOPE) !== 0) return null;
      return caches.match(url).then(function (hit) {
        return hit || fetch(url).then(function (r) { return r.ok ? cache.put(url, r) : null; });
      }).catch(function () { return null; });
    }));
  });
}

// offline.json: {"version": "...", "files": {"<path relative to the site root>": "<hash>"}}.
// A new version is kept in a new cache; files whose hash did not change are copied over, the
// rest fetched; the old cache goes only once the new one is complete. The search index is kept
// from the first sync a search page asks for (`search`) on. One sync at a time: the one at
// install and the one the page asks for would fill the same cache, and one's failure delete it.
var syncing = Promise.resolve();
function sync(search) {
  var next = syncing.then(function () { return syncOnce(search); });
  syncing = next.catch(function () {});
  return next;
}

function syncOnce(search) {
  return fetch(MANIFEST, { cache: 'no-cache' }).then(function (response) {
    if (!response.ok) return null;
    return response.json().then(function (listed) {
      return caches.keys().then(function (names) {
        var before = names.filter(function (n) { return n.indexOf(LISTED) === 0; });
        var withIndex = search || before.some(function (n) {
          return n.slice(-WITH_INDEX.length) === WITH_INDEX;
        });
        var manifest = withIndex ? listed : withoutIndex(listed);
        var name = LISTED + listed.version + (withIndex ? WITH_INDEX : '');
        var old = before.filter(function (n) { return n !== name; });
        // Complete only with offline.json in it, put last: a worker stopped mid-fill (the
        // browser closed) leaves a part, which must not replace the complete one before it.
        var complete = names.indexOf(name) >= 0 ?
          caches.open(name).then(function (cache) { return cache.match(MANIFEST); }) : null;
        return Promise.resolve(complete).then(function (done) {
          if (done) return dropAll(old);
          return fill(name, manifest, old[old.length - 1]).then(function () { return dropAll(old); },
            function (error) { return caches.delete(name).then(function () { throw error; }); });
        });
      });
    });
  });
}

function withoutIndex(manifest) {
  var files = {};
  Object.keys(manifest.files).forEach(function (path) {
    if (!INDEX_FILE.test(path)) files[path] = manifest.files[path];
  });
  return { version: manifest.version, files: files };
}

function fill(name, manifest, previous) {
  return Promise.all([caches.open(name), previous ? caches.open(previous) : null]).then(function (c) {
    var cache = c[0], before = c[1];
    var known = before ? before.match(MANIFEST).then(function (r) { return r ? r.json() : null; })
      : Promise.resolve(null);
    return known.then(function (last) {
      var files = manifest.files, lastFiles = (last && last.files) || {};
      return Promise.all(Object.keys(files).map(function (path) {
        var url = new URL(path, SCOPE).href;
        var copy = lastFiles[path] === files[path] ? before.match(url) : Promise.resolve(null);
        return copy.then(function (hit) {
          return hit ? cache.put(url, hit) : cache.add(url);
        });
      })).then(function () {
        return cache.put(MANIFEST, new Response(JSON.stringify(manifest), {
          headers: { 'Content-Type': 'application/json' }
        }));
      });
    });
  });
}

function dropAll(names) {
  return Promise.all(names.map(function (n) { return caches.delete(n); }));
}
