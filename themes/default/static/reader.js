/* sitegen reader: read marks, news since the last visit, text size, n/p keys, offline.
   Pages read fine without it; nothing leaves the browser. */
(function () {
  'use strict';
  var doc = document, opt = doc.currentScript.dataset, scope = opt.scope || '/';
  var key = 'sitegen:' + scope + ':', kind = doc.body.dataset.kind, sw = navigator.serviceWorker;
  function load(name, none) {
    try { var v = localStorage.getItem(key + name); return v ? JSON.parse(v) : none; }
    catch (e) { return none; }
  }
  function save(name, value) {
    try { localStorage.setItem(key + name, JSON.stringify(value)); } catch (e) {}
  }
  function once(name, make) { // a value fixed for this browser session
    try {
      var v = sessionStorage.getItem(key + name);
      if (v === null) sessionStorage.setItem(key + name, v = JSON.stringify(make()));
      return JSON.parse(v);
    } catch (e) { return make(); }
  }

  // Read marks; news since the visit before this session.
  var read = load('read', []), here = location.pathname, seen = load('last', 0);
  var since = once('since', function () { save('last', Date.now()); return seen; });
  if (kind === 'article') {
    read = read.filter(function (p) { return p !== here; }).concat(here).slice(-1000);
    save('read', read);
  }
  doc.querySelectorAll('.card').forEach(function (card) {
    var a = card.querySelector('h2 a'), time = card.querySelector('time'), meta = card.querySelector('.meta');
    if (!a || !meta) return;
    var label = read.indexOf(new URL(a.href).pathname) >= 0 ? 'read'
      : since && time && Date.parse(time.dateTime) > since ? 'new' : null;
    if (!label) return;
    var badge = meta.insertAdjacentElement('afterbegin', doc.createElement('span'));
    badge.className = 'badge';
    badge.textContent = opt[label];
    card.classList.add('is-' + label);
  });

  // Text size: steps of the root font size; base.html applies it before the first paint.
  var sizes = [87.5, 100, 112.5, 125, 150, 175], box = doc.querySelector('.textsize');
  if (box) {
    box.hidden = false;
    box.addEventListener('click', function (e) {
      var b = e.target.closest('button'), style = doc.documentElement.style;
      if (!b) return;
      var i = sizes.indexOf(parseFloat(style.fontSize) || 100) + Number(b.value);
      var size = sizes[Math.max(0, Math.min(sizes.length - 1, i))];
      style.fontSize = size === 100 ? '' : size + '%';
      try { localStorage.setItem('sitegen:size', size); } catch (err) {}
    });
  }

  // n and p follow the page's rel=next and rel=prev links, unless a field has the focus.
  var links = {};
  [['n', 'next'], ['p', 'prev']].forEach(function (k) {
    var a = links[k[0]] = doc.querySelector('main a[rel~=' + k[1] + ']');
    if (a) a.setAttribute('aria-keyshortcuts', k[0]);
  });
  doc.querySelectorAll('.keys').forEach(function (hint) { hint.hidden = false; });
  doc.addEventListener('keydown', function (e) {
    var el = doc.activeElement, link = links[e.key];
    if (!link || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return;
    e.preventDefault();
    location.href = link.href;
  });

  // Offline reading from the second page view on: a first visit makes no extra request.
  if (kind === 'search') save('searched', 1);
  if (!sw) return;
  if (!opt.sw) {  // switched off: the worker goes, and what it kept (the index: megabytes)
    sw.getRegistration(scope).then(function (r) { if (r) r.unregister(); });
    if (window.caches) {
      caches.keys().then(function (names) {
        names.forEach(function (n) { if (n.indexOf('sitegen-') === 0) caches.delete(n); });
      }).catch(function () {});
    }
    return;
  }
  function register() {
    sw.register(opt.sw, { scope: scope }).then(function () { return sw.ready; }).then(function (reg) {
      var files = [].map.call(doc.querySelectorAll('link[rel=stylesheet],script[src]'),
        function (el) { return el.href || el.src; });
      if (!sw.controller) reg.active.postMessage({ keep: read.slice(-50).concat(here, files) });
      // The search index, the largest part, only for a reader who has opened the search page.
      var search = load('searched', 0) === 1;
      once(search ? 'synced-search' : 'synced', function () {
        reg.active.postMessage({ sync: true, search: search });
        return 1;
      });
    }).catch(function () {});
  }
  if (!seen) return;
  if (doc.readyState === 'complete') register(); else addEventListener('load', register);
}());
