/* sitegen search client: reads the sharded index that sitegen/search/ writes. No dependencies.
   Text functions are twins of sitegen/search/text.py; the stemmers port Snowball 3.1 German
   and English (Porter2) and are tested word for word against the Python ones. */
(() => {
'use strict';

// ---- text: tokenize, fold, stop words (twins of text.py) ----
const STOP = new Set(('a an and are as at be been but by can could did do does for from had has ' +
  'have he her his i if in into is it its not of on or our she so than that the their them then ' +
  'there these they this those to was we were what when where which who will with would you ' +
  'aber als am an auch auf aus bei bin bis da damit dass dem den der des die dies diese diesem ' +
  'dieser dieses doch durch ein eine einem einen einer eines er es für hat hatte ich ihr ihre im ' +
  'ist ja kann man mit nach nicht noch nur ob oder sich sie sind so um und uns vom von vor war ' +
  'wie wir wird wurde zu zum zur über').split(' '));
const FOLD = {'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ł': 'l',
  'ı': 'i', 'ħ': 'h'};
const WORD = /[\p{L}\p{N}]+/gu;
const tokenize = s => s.normalize('NFC').toLowerCase().match(WORD) || [];
const fold = s => s.toLowerCase().replace(/[ßæœøđðþłıħ]/g, c => FOLD[c])
  .normalize('NFD').replace(/\p{Mn}/gu, '');
const indexable = w => { const n = [...w].length; return n >= 2 && n <= 40 && !STOP.has(w); };
const ends = (s, x) => s.endsWith(x);
const pick = (s, list) => list.find(x => s.endsWith(x));

// ---- Snowball German ----
const DV = 'aeiouyäöü';
const isDV = c => c !== undefined && DV.includes(c);
function regions(s, isV, start) {
  // Index after the first non-vowel that follows a vowel, searching from `start`.
  let i = start;
  while (i < s.length && !isV(s[i])) i++;
  if (i >= s.length) return -1;
  i++;
  while (i < s.length && isV(s[i])) i++;
  return i >= s.length ? -1 : i + 1;
}
function deStem(word) {
  const c = [...word];
  for (let i = 0; i + 2 < c.length; i++) {
    if (isDV(c[i]) && (c[i + 1] === 'u' || c[i + 1] === 'y') && isDV(c[i + 2])) {
      c[i + 1] = c[i + 1].toUpperCase();
    }
  }
  let s = '';
  for (let i = 0; i < c.length; i++) {
    const two = c[i] + (c[i + 1] || '');
    if (c[i] === 'ß') s += 'ss';
    else if (two === 'ae') { s += 'ä'; i++; } else if (two === 'oe') { s += 'ö'; i++; }
    else if (two === 'ue') { s += 'ü'; i++; } else if (two === 'qu') { s += 'qu'; i++; }
    else s += c[i];
  }
  let p1 = s.length, p2 = s.length;
  if (s.length >= 3) {
    const a = regions(s, isDV, 0);
    if (a >= 0) {
      p1 = Math.max(a, 3);
      const b = regions(s, isDV, a);
      if (b >= 0) p2 = b;
    }
  }
  let x = pick(s, ['erinnen', 'erin', 'lns', 'ern', 'em', 'en', 'ln', 'er', 'es', 'e', 's']);
  if (x && s.length - x.length >= p1) {
    const b = s.length - x.length;
    if (x === 'em') { if (!ends(s.slice(0, b), 'syst')) s = s.slice(0, b); }
    else if (x === 'e' || x === 'en' || x === 'es') {
      s = s.slice(0, b);
      if (ends(s, 'niss')) s = s.slice(0, -1);
    } else if (x === 's') { if ('bdfghklmnrt'.includes(s[b - 1] || '_')) s = s.slice(0, b); }
    else if (x === 'ln' || x === 'lns') s = s.slice(0, b) + 'l';
    else s = s.slice(0, b);
  }
  x = pick(s, ['est', 'en', 'er', 'et', 'st']);
  if (x && s.length - x.length >= p1) {
    const b = s.length - x.length;
    if (x === 'st') { if (b >= 4 && 'bdfghklmnt'.includes(s[b - 1])) s = s.slice(0, b); }
    else if (x === 'et') {
      const pre = s.slice(0, b);
      if (b >= 1 && 'Udfgklmnrstzä'.includes(s[b - 1]) &&
          !pick(pre, ['geordn', 'intern', 'tick', 'plan', 'tr'])) s = pre;
    } else s = s.slice(0, b);
  }
  x = pick(s, ['isch', 'lich', 'heit', 'keit', 'end', 'ung', 'ig', 'ik']);
  if (x && s.length - x.length >= p2) {
    const b = s.length - x.length;
    if (x === 'end' || x === 'ung') {
      s = s.slice(0, b);
      if (ends(s, 'ig') && s[s.length - 3] !== 'e' && s.length - 2 >= p2) s = s.slice(0, -2);
    } else if (x === 'ig' || x === 'ik' || x === 'isch') { if (s[b - 1] !== 'e') s = s.slice(0, b); }
    else if (x === 'lich' || x === 'heit') {
      s = s.slice(0, b);
      if ((ends(s, 'er') || ends(s, 'en')) && s.length - 2 >= p1) s = s.slice(0, -2);
    } else {
      s = s.slice(0, b);
      const y = pick(s, ['lich', 'ig']);
      if (y && s.length - y.length >= p2) s = s.slice(0, -y.length);
    }
  }
  return s.replace(/[YUäöü]/g, ch => ({Y: 'y', U: 'u', ä: 'a', ö: 'o', ü: 'u'})[ch]);
}

// ---- Snowball English (Porter2) ----
const EV = 'aeiouy';
const isEV = c => c !== undefined && EV.includes(c);
const EXC = {skis: 'ski', skies: 'sky', idly: 'idl', gently: 'gentl', ugly: 'ugli', early: 'earli',
  only: 'onli', singly: 'singl', andes: 'andes', atlas: 'atlas', bias: 'bias', cosmos: 'cosmos',
  howe: 'howe', news: 'news', sky: 'sky'};
const STEP2 = [['ization', 'ize'], ['ational', 'ate'], ['fulness', 'ful'], ['ousness', 'ous'],
  ['iveness', 'ive'], ['tional', 'tion'], ['biliti', 'ble'], ['lessli', 'less'], ['entli', 'ent'],
  ['ation', 'ate'], ['alism', 'al'], ['aliti', 'al'], ['ousli', 'ous'], ['iviti', 'ive'],
  ['fulli', 'ful'], ['ogist', 'og'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'],
  ['izer', 'ize'], ['ator', 'ate'], ['alli', 'al'], ['bli', 'ble'], ['ogi', 'og'], ['li', '']];
const STEP3 = [['ational', 'ate'], ['tional', 'tion'], ['alize', 'al'], ['icate', 'ic'],
  ['iciti', 'ic'], ['ative', ''], ['ical', 'ic'], ['ness', ''], ['ful', '']];
const STEP4 = ['ement', 'ment', 'able', 'ible', 'ance', 'ence', 'ate', 'iti', 'ion', 'ism', 'ive',
  'ize', 'ous', 'ant', 'ent', 'al', 'er', 'ic'];
function shortV(s) {
  const n = s.length;
  if (n >= 3 && !'aeiouywxY'.includes(s[n - 1]) && isEV(s[n - 2]) && !isEV(s[n - 3])) return true;
  if (n === 2 && !isEV(s[1]) && isEV(s[0])) return true;
  return ends(s, 'past');
}
function enRegions(s) {
  let p1 = -1;
  const pre = ['univers', 'commun', 'arsen', 'emerg', 'gener', 'inter', 'later', 'organ', 'past']
    .find(x => s.startsWith(x));
  if (pre) p1 = pre.length; else p1 = regions(s, isEV, 0);
  if (p1 < 0) return [s.length, s.length];
  const p2 = regions(s, isEV, p1);
  return [p1, p2 < 0 ? s.length : p2];
}
function step1b(s, p1) {
  const x = pick(s, ['eedly', 'ingly', 'edly', 'eed', 'ing', 'ed']);
  if (!x) return s;
  const b = s.length - x.length, pre = s.slice(0, b);
  if (x === 'eed' || x === 'eedly') {
    return b >= p1 && !['succ', 'proc', 'exc'].includes(pre) ? pre + 'ee' : s;
  }
  if (x === 'ing') {
    if (pre.length === 2 && pre[1] === 'y' && !isEV(pre[0])) return pre[0] + 'ie';
    if (['even', 'cann', 'inn', 'earr', 'herr', 'out'].includes(pre)) return s;
  }
  if (![...pre].some(isEV)) return s;
  if (['at', 'bl', 'iz'].some(e => ends(pre, e))) return pre + 'e';
  const n = pre.length;
  if (n >= 2 && pre[n - 1] === pre[n - 2] && 'bdfgmnprt'.includes(pre[n - 1])) {
    return n === 3 && 'aeo'.includes(pre[0]) ? pre : pre.slice(0, -1);
  }
  return p1 === n && shortV(pre) ? pre + 'e' : pre;
}
function enStem(word) {
  if (Object.prototype.hasOwnProperty.call(EXC, word)) return EXC[word];
  if (word.length < 3) return word;
  const c = [...word];
  if (c[0] === 'y') c[0] = 'Y';
  for (let i = 0; i + 1 < c.length; i++) if (isEV(c[i]) && c[i + 1] === 'y') c[i + 1] = 'Y';
  let s = c.join('');
  const [p1, p2] = enRegions(s);
  if (ends(s, 'sses')) s = s.slice(0, -2);
  else if (ends(s, 'ied') || ends(s, 'ies')) s = s.slice(0, -3) + (s.length > 4 ? 'i' : 'ie');
  else if (ends(s, 'ss') || ends(s, 'us')) { /* unchanged */ }
  else if (ends(s, 's') && [...s.slice(0, -2)].some(isEV)) s = s.slice(0, -1);
  s = step1b(s, p1);
  const n = s.length;
  if (n >= 3 && (s[n - 1] === 'y' || s[n - 1] === 'Y') && !isEV(s[n - 2])) s = s.slice(0, -1) + 'i';
  let r = STEP2.find(([x]) => ends(s, x));
  if (r && s.length - r[0].length >= p1) {
    const b = s.length - r[0].length;
    if (r[0] === 'ogi') { if (s[b - 1] === 'l') s = s.slice(0, b) + 'og'; }
    else if (r[0] === 'li') { if ('cdeghkmnrt'.includes(s[b - 1] || '_')) s = s.slice(0, b); }
    else s = s.slice(0, b) + r[1];
  }
  r = STEP3.find(([x]) => ends(s, x));
  if (r && s.length - r[0].length >= p1) {
    const b = s.length - r[0].length;
    if (r[0] !== 'ative' || b >= p2) s = s.slice(0, b) + r[1];
  }
  const x4 = pick(s, STEP4);
  if (x4 && s.length - x4.length >= p2) {
    const b = s.length - x4.length;
    if (x4 !== 'ion' || 'st'.includes(s[b - 1] || '_')) s = s.slice(0, b);
  }
  const b = s.length - 1;
  if (s[b] === 'e') {
    if (b >= p2 || (b >= p1 && !shortV(s.slice(0, b)))) s = s.slice(0, b);
  } else if (s[b] === 'l' && b >= p2 && s[b - 1] === 'l') s = s.slice(0, b);
  return s.replace(/Y/g, 'y');
}

const STEMMERS = {de: deStem, en: enStem};
const LATIN = /^[\u0000-\u024f]+$/;
const stem = (w, lang) => (STEMMERS[lang] && LATIN.test(w) ? STEMMERS[lang](w) : w);

// ---- index files (layout: sitegen/search/encode.py and index.py) ----
function cyrb53(str) {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
const shardPath = key => 't/' + cyrb53(key).toString(16).padStart(14, '0') + '.bin';
const utf8 = new TextDecoder();

async function inflate(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(r.status + ' ' + url);
  const body = r.body.pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(body).arrayBuffer());
}
function reader(b, p) {
  return {
    get p() { return p; },
    next() {
      let v = 0, scale = 1, x;
      do { x = b[p++]; v += (x & 127) * scale; scale *= 128; } while (x & 128);
      return v;
    },
    skip(n) { p += n; },
  };
}
function parseShard(b) {
  const rd = reader(b, 0), n = rd.next(), keys = new Array(n), df = new Array(n);
  const off = new Array(n + 1);
  let prev = new Uint8Array(0);
  for (let i = 0; i < n; i++) {
    const shared = rd.next(), len = rd.next(), raw = new Uint8Array(shared + len);
    raw.set(prev.subarray(0, shared));
    raw.set(b.subarray(rd.p, rd.p + len), shared);
    rd.skip(len);
    keys[i] = utf8.decode(raw);
    prev = raw;
    df[i] = rd.next();
  }
  // Each postings list ends after its df-th varint, i.e. its df-th byte below 0x80.
  let p = rd.p;
  for (let i = 0; i < n; i++) {
    off[i] = p;
    for (let left = df[i]; left > 0; p++) if (b[p] < 128) left--;
  }
  off[n] = p;
  return {keys, df, off, b};
}
function lowerBound(list, key) {
  let lo = 0, hi = list.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (list[mid] < key) lo = mid + 1; else hi = mid; }
  return lo;
}
function* postings(sh, i, bits) {
  const rd = reader(sh.b, sh.off[i]), end = sh.off[i + 1], m = 2 ** bits;
  let doc = -1;
  while (rd.p < end) {
    const v = rd.next();
    doc += Math.floor(v / m) + 1;
    yield [doc, v % m];
  }
}

class Index {
  constructor(base) {
    this.base = base;
    this.files = new Map();
    this.root = this.json('index.bin').then(r => {
      let day = 0;
      r.first = r.days.map(d => (day += d));
      return r;
    });
  }
  get(path, parse) {
    if (!this.files.has(path)) {
      const p = inflate(this.base + path).then(parse);
      p.catch(() => this.files.delete(path));
      this.files.set(path, p);
    }
    return this.files.get(path);
  }
  json(path) { return this.get(path, b => JSON.parse(utf8.decode(b))); }
  chunk(n) { return this.json('d/' + n + '.bin'); }
  shardOf(r, key) { const i = lowerBound(r.bounds, key); return r.bounds[i] === key ? i : i - 1; }
  shard(r, i) { return this.get(shardPath(r.bounds[i]), parseShard); }
  async shards(r, ids) {
    const list = [...new Set(ids)];
    const got = await Promise.all(list.map(i => this.shard(r, i)));
    return new Map(list.map((i, j) => [i, got[j]]));
  }
}

// ---- queries ----
const facetKey = (kind, v) => '\x01' + kind + fold(v.trim().split(/\s+/).join(' '));
const FACETS = {topic: 't', tag: 'g', source: 's', lang: 'l'};

function planWord(r, w, last, typing) {
  const forms = new Set([w, w.replace(/ae/g, 'a').replace(/oe/g, 'o').replace(/ue/g, 'u'),
    w.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue')]);
  const exact = new Set();
  for (const f of forms) {
    exact.add(fold(f));
    for (const lang of r.stem) exact.add(fold(stem(f, lang)));
  }
  const p = fold(w), word = {exact, prefix: null, partial: []};
  if (last && p.length >= 3) {
    word.prefix = p;
    for (let n = Math.max(4, p.length - 3); typing && n < p.length; n++) {
      word.partial.push(p.slice(0, n));
    }
  }
  return word;
}
function plan(r, q, typing) {
  const tokens = tokenize(q), last = tokens[tokens.length - 1];
  const open = last !== undefined && !/[^\p{L}\p{N}]$/u.test(q);
  const words = [...new Set(tokens.filter(indexable))];
  return words.map(w => planWord(r, w, open && w === last, typing));
}
function shardIds(index, r, words) {
  const ids = [];
  for (const w of words) {
    for (const k of [...w.exact, ...w.partial]) ids.push(index.shardOf(r, k));
    if (w.prefix) {
      const a = index.shardOf(r, w.prefix), b = index.shardOf(r, w.prefix + '\uffff');
      for (let i = a; i <= Math.min(b, a + 1); i++) ids.push(i);
    }
  }
  return ids;
}
function scoreWord(index, r, shards, w, hl) {
  const best = new Float32Array(r.n);
  const take = (sh, i, factor) => {
    const df = sh.df[i], idf = Math.log(1 + (r.n - df + 0.5) / (df + 0.5));
    for (const [doc, imp] of postings(sh, i, r.bits)) {
      best[doc] = Math.max(best[doc], idf * (imp + 1) * factor);
    }
    hl.keys.add(sh.keys[i]);
  };
  let found = 0;
  const lookup = (key, factor) => {
    const sh = shards.get(index.shardOf(r, key));
    const i = sh ? lowerBound(sh.keys, key) : -1;
    if (sh && sh.keys[i] === key) { take(sh, i, factor); found++; }
  };
  w.exact.forEach(k => lookup(k, 1));
  if (w.prefix) {
    hl.prefixes.push(w.prefix);
    for (const [id, sh] of shards) {
      if (id < index.shardOf(r, w.prefix)) continue;
      for (let i = lowerBound(sh.keys, w.prefix); sh.keys[i]?.startsWith(w.prefix); i++) {
        if (!w.exact.has(sh.keys[i])) { take(sh, i, 0.7); found++; }
      }
    }
  }
  // A word still being typed past its stem ("entwicklu"): try the keys it extends.
  if (!found) w.partial.forEach(k => lookup(k, 0.8));
  return best;
}
async function facetMask(index, r, state) {
  const kinds = Object.keys(FACETS).filter(k => state[k].length);
  if (!kinds.length) return null;
  const keys = kinds.map(k => state[k].map(v => facetKey(FACETS[k], v)));
  const shards = await index.shards(r, keys.flat().map(k => index.shardOf(r, k)));
  const mask = new Uint8Array(r.n);
  keys.forEach(group => {
    const seen = new Uint8Array(r.n);
    for (const key of group) {
      const sh = shards.get(index.shardOf(r, key)), i = lowerBound(sh.keys, key);
      if (sh.keys[i] === key) for (const [doc] of postings(sh, i, r.bits)) seen[doc] = 1;
    }
    seen.forEach((s, d) => { mask[d] += s; });
  });
  return mask.map(m => (m === kinds.length ? 1 : 0));
}
const dayOf = iso => Math.floor(Date.parse(iso + 'T00:00:00Z') / 864e5);
async function edge(index, r, day, after) {
  // First document number whose day is >= day (after=false) or > day (after=true).
  const ok = d => (after ? d > day : d >= day);
  let c = r.first.findIndex(d => ok(d));
  if (c < 0) c = r.first.length;
  if (c === 0) return 0;
  const recs = await index.chunk(c - 1), j = recs.findIndex(rec => ok(rec[2]));
  return j < 0 ? c * r.k : (c - 1) * r.k + j;
}
async function dateRange(index, r, state) {
  const lo = state.from ? await edge(index, r, dayOf(state.from), false) : 0;
  const hi = state.to ? await edge(index, r, dayOf(state.to), true) : r.n;
  return [lo, Math.min(hi, r.n)];
}
async function search(index, state, typing) {
  const r = await index.root;
  const words = plan(r, state.q, typing), hl = {keys: new Set(), prefixes: []};
  const [shards, mask, [lo, hi]] = await Promise.all([
    index.shards(r, shardIds(index, r, words)), facetMask(index, r, state), dateRange(index, r, state)]);
  const total = new Float32Array(r.n), hits = new Uint8Array(r.n);
  for (const w of words) {
    scoreWord(index, r, shards, w, hl).forEach((s, d) => { if (s > 0) { total[d] += s; hits[d]++; } });
  }
  const ids = [];
  for (let d = hi - 1; d >= lo; d--) {
    if (hits[d] === words.length && (!mask || mask[d])) ids.push(d);
  }
  if (words.length && state.sort !== 'date') {
    const boost = d => (state.sort === 'recent' ?
      1 + 2 ** (-(r.end - r.first[Math.floor(d / r.k)]) / 30) : 1);
    const score = new Map(ids.map(d => [d, total[d] * boost(d)]));
    ids.sort((a, b) => score.get(b) - score.get(a) || b - a);
  }
  return {ids, hl, r};
}

// ---- page: state <-> URL <-> form, rendering ----
const MULTI = ['topic', 'tag', 'source', 'lang'];
const SINGLE = ['q', 'from', 'to', 'sort'];
function readParams(params) {
  const s = {};
  SINGLE.forEach(k => { s[k] = (params.get(k) || '').trim(); });
  MULTI.forEach(k => {
    s[k] = [...new Set(params.getAll(k).flatMap(v => v.split(',')).map(v => v.trim())
      .filter(Boolean))];
  });
  s.q = params.get('q') || '';
  return s;
}
function toQuery(s) {
  const p = new URLSearchParams();
  SINGLE.forEach(k => { if (s[k].trim()) p.set(k, s[k]); });
  MULTI.forEach(k => s[k].forEach(v => p.append(k, v)));
  const text = p.toString();
  return text ? '?' + text : '';
}
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
function highlight(node, text, lang, hl) {
  let last = 0;
  for (const m of text.matchAll(WORD)) {
    const w = m[0].normalize('NFC').toLowerCase(), k = fold(w);
    if (hl.keys.has(k) || hl.keys.has(fold(stem(w, lang))) || hl.prefixes.some(p => k.startsWith(p))) {
      node.append(text.slice(last, m.index), el('mark', '', m[0]));
      last = m.index + m[0].length;
    }
  }
  node.append(text.slice(last));
}

function start(root) {
  const form = root.querySelector('form'), input = form.elements.q;
  const list = root.querySelector('.search-list'), status = root.querySelector('.search-status');
  const more = root.querySelector('.search-more'), region = root.querySelector('[aria-live]');
  const msg = (name, vars) => (root.dataset[name] || '')
    .replace(/\{(\w+)\}/g, (_, k) => vars[k]);
  const index = new Index(root.dataset.index);
  const base = root.dataset.base, pageSize = +root.dataset.page || 5;
  const dateFmt = new Intl.DateTimeFormat(root.dataset.lang || undefined,
    {day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC'});
  let run = 0, state = readParams(new URLSearchParams(location.search)), shown = null;

  index.root.then(r => {
    for (const [name, list] of [['source', r.sources], ['lang', r.langs]]) {
      const select = form.elements[name];
      if (!select) continue;
      for (const [value, count] of list) {
        if (!select.querySelector(`option[value="${CSS.escape(value)}"]`)) {
          select.append(new Option(`${value} (${count})`, value));
        }
      }
    }
    fill(state);
  }).catch(() => { status.textContent = msg('error', {}); });

  function fill(s) {
    input.value = s.q;
    ['from', 'to', 'sort'].forEach(k => { if (form.elements[k]) form.elements[k].value = s[k]; });
    if (form.elements.tag) form.elements.tag.value = s.tag.join(', ');
    form.querySelectorAll('input[name=topic]').forEach(b => { b.checked = s.topic.includes(b.value); });
    for (const k of ['source', 'lang']) if (form.elements[k]) form.elements[k].value = s[k][0] || '';
    const details = root.querySelector('details');
    if (details && (MULTI.some(k => s[k].length) || s.from || s.to || s.sort)) details.open = true;
  }
  function fromForm() {
    const s = readParams(new URLSearchParams(new FormData(form)));
    for (const k of ['source', 'lang']) {
      // Keep several values from a link while the single select still shows the first.
      if (state[k].length > 1 && s[k].length === 1 && s[k][0] === state[k][0]) s[k] = state[k];
    }
    return s;
  }
  function go(s, how, typing) {
    state = s;
    const url = location.pathname + toQuery(s) + location.hash;
    if (how && url !== location.pathname + location.search + location.hash) {
      history[how === 'push' ? 'pushState' : 'replaceState'](null, '', url);
    }
    execute(s, typing);
  }
  async function execute(s, typing) {
    const mine = ++run, t0 = performance.now();
    const active = s.q.trim() || MULTI.some(k => s[k].length) || s.from || s.to;
    if (!active) { list.replaceChildren(); status.textContent = ''; more.hidden = true; return; }
    region.setAttribute('aria-busy', 'true');
    try {
      const found = await search(index, s, typing);
      if (mine !== run) return;
      shown = {found, count: 0, s};
      list.replaceChildren();
      await showMore(mine);
      if (mine !== run) return;
      const ms = performance.now() - t0;
      root.dataset.ms = ms.toFixed(1);
      root.dispatchEvent(new CustomEvent('sitegen:results', {bubbles: true,
        detail: {ms, count: found.ids.length, sinceLoad: performance.now()}}));
    } catch (err) {
      if (mine === run) status.textContent = msg('error', {});
      console.error(err);
    } finally {
      if (mine === run) region.setAttribute('aria-busy', 'false');
    }
  }
  async function showMore(mine) {
    const {found, s} = shown, {ids, hl, r} = found;
    const page = ids.slice(shown.count, shown.count + pageSize);
    const chunks = await Promise.all(page.map(d => index.chunk(Math.floor(d / r.k))));
    if (mine !== run) return;
    page.forEach((d, i) => list.append(renderHit(chunks[i][d % r.k], hl)));
    shown.count += page.length;
    const n = ids.length, q = s.q.trim();
    status.textContent = n === 0 ? msg(q ? 'none' : 'noneFiltered', {q})
      : msg(n === 1 ? 'one' : 'many', {n: n.toLocaleString(root.dataset.lang), q,
        shown: shown.count});
    more.hidden = shown.count >= n;
  }
  function renderHit(rec, hl) {
    const [url, title, day, lang, source, topics, tags, excerpt] = rec;
    const li = el('li', 'search-hit'), h = el('h2'), a = el('a');
    a.href = base + url;
    highlight(a, title, lang, hl);
    h.append(a);
    const meta = el('p', 'search-meta'), time = el('time', '', dateFmt.format(new Date(day * 864e5)));
    time.dateTime = new Date(day * 864e5).toISOString().slice(0, 10);
    meta.append(time, ...[source, topics.join(', ')].filter(Boolean).map(t => ' · ' + t));
    const ex = el('p', 'search-excerpt');
    highlight(ex, excerpt, lang, hl);
    li.append(h, meta, ex);
    if (tags.length) {
      const p = el('p', 'search-tags');
      for (const tag of tags) {
        const b = el('button', 'search-tag', '#' + tag);
        b.type = 'button';
        b.setAttribute('aria-label', msg('tag', {tag}));
        b.addEventListener('click', () => {
          if (!state.tag.includes(tag)) go({...state, tag: [...state.tag, tag]}, 'push');
          fill(state);
        });
        p.append(b);
      }
      li.append(p);
    }
    return li;
  }

  let timer = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => go(fromForm(), 'replace', true), 120);
  });
  form.addEventListener('submit', e => { e.preventDefault(); clearTimeout(timer); go(fromForm(), 'push'); });
  form.addEventListener('change', e => { if (e.target !== input) go(fromForm(), 'push'); });
  more.addEventListener('click', () => showMore(run));
  window.addEventListener('popstate', () => {
    state = readParams(new URLSearchParams(location.search));
    fill(state);
    execute(state);
  });
  fill(state);
  execute(state);
}

// Exposed for tests (parity with the Python side); harmless for readers.
window.sitegenSearch = {tokenize, fold, stem, indexable, cyrb53, facetKey};
const root = document.getElementById('search');
if (root && root.dataset.index !== undefined) start(root);
})();
