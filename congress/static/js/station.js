// The check-in station: keyboard-wedge and camera scanning, online through the API, offline
// against the downloaded bundle (Ed25519 signature checked with WebCrypto), scans queued in
// IndexedDB and uploaded when the network is back. The server merges them: earliest scan wins.
// Who forgot their badge is found by name (the API, or the bundle offline) and checked in by their
// registration id, queued the same way when offline.
import { openDB } from "/vendor/idb/build/index.js";

const TOKEN_KEY = "congres-station-token";
const root = document.querySelector(".station");
const messages = JSON.parse(document.getElementById("station-messages").textContent);
const $ = (selector) => root.querySelector(selector);
const input = $("#station-code");
const nameInput = $("#station-name");
const statusLine = $("[data-status]");
const queueLine = $("[data-queue]");
let station = null;
let bundle = null;
let publicKey = null; // the bundle's key, imported for WebCrypto once per key
let stopped = false;
// Who is checked in where, as the server knows it (GET /api/v1/checkins, read since the last time):
// {checkin id: {registration, list, scanned_at, station}}, kept in IndexedDB for offline answers.
let presence = { since: null, checkins: {} };

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
}

// --- set-up: the set-up link carries the station token in the fragment (never sent to the server)
if (location.hash.startsWith("#setup=")) {
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(location.hash.slice("#setup=".length)));
  history.replaceState(null, "", location.pathname);
}
const token = localStorage.getItem(TOKEN_KEY);

// --- a service worker keeps this page and its files, so that a reload without network still opens it
async function keepPageOffline() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope });
    const registration = await navigator.serviceWorker.ready;
    const loaded = performance.getEntriesByType("resource").map((entry) => entry.name);
    registration.active.postMessage({ cache: [location.href.split("#")[0], ...loaded] });
    root.dataset.offlineReady = "true";
  } catch (error) {
    // Without it the station still works offline; only a reload needs the network.
  }
}
keepPageOffline();

const db = await openDB("congres-station", 1, {
  upgrade(database) {
    database.createObjectStore("meta");
    database.createObjectStore("queue", { keyPath: "nonce" });
    database.createObjectStore("seen");
  },
});

// A request that is not answered in time is given up: aborted, and (should the browser never settle
// an aborted request, as seen with an intercepted one after the network came back) rejected by the
// timer itself, so that a hung request can never hold the queue's upload for good.
function api(path, options = {}) {
  const controller = new AbortController();
  let timer;
  const givenUp = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("timeout"));
    }, options.timeout || 5000);
  });
  return Promise.race([fetch(path, {
    method: options.method || "GET",
    body: options.body ? JSON.stringify(options.body) : undefined,
    headers: {
      Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json",
      ...(options.headers || {}),
    },
    signal: controller.signal,
    credentials: "omit",
    cache: "no-store",
  }), givenUp]).finally(() => clearTimeout(timer));
}

function stop(message) {
  stopped = true;
  statusLine.textContent = message;
  statusLine.classList.add("station__status--stopped");
  input.disabled = true;
  nameInput.disabled = true;
}

async function checkStopped(response) {
  if (response.status === 401) {
    stop(messages.stopped);
    return true;
  }
  return false;
}

// --- the bundle: public key, revocations and attendees, refreshed every minute -----------------
// The station sends the version it holds as ETag (If-None-Match) and as ?since=: unchanged, the
// server answers 304 (nothing to download); changed, only the registrations changed since then
// (docs/checkin-stations.md). Whatever the answer, the bundle is kept in IndexedDB for offline use.

// The rule the server's checkin.bundle.apply_bundle_delta follows too: drop every attendee and
// revocation of a changed registration, add the delta's, keep attendees by id and revocations by
// registration (a stable sort keeps them as issued within one registration).
function applyDelta(held, delta) {
  const changed = new Set(delta.changed);
  const attendees = held.attendees.filter((a) => !changed.has(a.id)).concat(delta.attendees);
  const revocations = held.revocations.filter((r) => !changed.has(r.registration)).concat(delta.revocations);
  const { since: _since, changed: _changed, ...rest } = delta;
  return {
    ...held,
    ...rest,
    attendees: attendees.sort((a, b) => a.id - b.id),
    revocations: revocations.sort((a, b) => a.registration - b.registration),
  };
}

async function downloadBundle() {
  const held = bundle || (await db.get("meta", "bundle"));
  const current = held && held.congress === station.congress && held.version ? held : null;
  const path = root.dataset.bundlePattern.replace("__slug__", station.congress);
  const query = current ? `?since=${encodeURIComponent(current.version)}` : "";
  const headers = current ? { "If-None-Match": `W/"${current.version}"` } : {};
  const response = await api(path + query, { timeout: 15000, headers });
  if (await checkStopped(response)) return null;
  if (response.status === 304) {
    root.dataset.bundleAnswer = "unchanged";
    return current;
  }
  if (!response.ok) throw new Error(`bundle: ${response.status}`);
  const body = await response.json();
  let fresh = body;
  if ("since" in body) {
    if (!current || body.since !== current.version) {
      // A delta for another version than the one held (never expected): download it whole.
      bundle = null;
      await db.delete("meta", "bundle");
      return downloadBundle();
    }
    fresh = applyDelta(current, body);
    root.dataset.bundleAnswer = "delta";
  } else {
    root.dataset.bundleAnswer = "full";
  }
  if (!current || fresh.public_key !== current.public_key) publicKey = null;
  await db.put("meta", fresh, "bundle");
  return fresh;
}

async function refresh() {
  if (stopped) return;
  try {
    const me = await api(root.dataset.me);
    if (await checkStopped(me)) return;
    station = await me.json();
    await db.put("meta", station, "station");
    const fresh = await downloadBundle();
    if (!fresh) return;
    bundle = fresh;
    await syncPresence();
    statusLine.textContent = fill(messages.updated, {
      time: new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
      count: bundle.attendees.length,
    });
  } catch (error) {
    station = station || (await db.get("meta", "station"));
    bundle = bundle || (await db.get("meta", "bundle"));
    presence = (await db.get("meta", "presence")) || presence;
    statusLine.textContent = bundle ? messages.offline : messages.no_bundle;
  }
  if (station) document.querySelector("[data-station-name]").textContent = station.name;
  await flush();
}

async function syncPresence() {
  const stored = await db.get("meta", "presence");
  if (stored && stored.congress === station.congress) presence = stored;
  const query = new URLSearchParams({ congress: station.congress });
  if (presence.since) query.set("since", presence.since);
  const response = await api(`${root.dataset.checkins}?${query}`, { timeout: 15000 });
  if (!response.ok) return;
  const listing = await response.json();
  const checkins = { ...presence.checkins };
  let since = presence.since;
  for (const c of listing.checkins) {
    if (c.undone_at) delete checkins[c.id];
    else checkins[c.id] = { registration: c.registration, list: c.list, scanned_at: c.scanned_at, station: c.station };
    for (const moment of [c.received_at, c.undone_at]) if (moment && (!since || moment > since)) since = moment;
  }
  presence = { congress: station.congress, since, checkins };
  await db.put("meta", presence, "presence");
}

function stationList() {
  return station && station.list ? station.list : "venue";
}

// The first check-in of a person on a list that this device knows: its own scans, else the server's.
async function firstCheckin(registrationId, list) {
  const first = await db.get("seen", `${registrationId}|${list}`);
  if (first) return first;
  const known = Object.values(presence.checkins).find((c) => c.registration === registrationId && c.list === list);
  return known ? { at: known.scanned_at, station: known.station } : null;
}

// --- offline verification ----------------------------------------------------------------------
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Decode(text) {
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = BASE32.indexOf(char);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return new Uint8Array(bytes);
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function verifyOffline(code) {
  const answer = (result, attendee = null, extra = {}) => ({ result, attendee, ...extra });
  if (!bundle) return answer("invalid");
  const text = String(code).trim().toUpperCase();
  if (!text.startsWith("C1") || text.length !== 129) return answer("invalid");
  const raw = base32Decode(text.slice(2));
  if (!raw || raw.length !== 79) return answer("invalid");
  const payload = raw.slice(0, 15);
  const signature = raw.slice(15);
  if (!publicKey) {
    const keyBytes = Uint8Array.from(atob(bundle.public_key), (c) => c.charCodeAt(0));
    publicKey = await crypto.subtle.importKey("raw", keyBytes, { name: "Ed25519" }, false, ["verify"]);
  }
  const view = new DataView(payload.buffer);
  const congressId = view.getUint32(1);
  const registrationId = view.getUint32(5);
  const nonce = toHex(payload.slice(9, 15));
  if (congressId !== bundle.congress_id) return answer("wrong_congress");
  const valid = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature, payload);
  if (!valid) return answer("invalid");
  if (bundle.revocations.some((r) => r.registration === registrationId && r.nonce === nonce)) return answer("revoked");
  return decideOffline(registrationId, "revoked");
}

// What the server would answer for this registration on the station's list, from the bundle.
async function decideOffline(registrationId, unknown) {
  const answer = (result, attendee = null, extra = {}) => ({ result, attendee, ...extra });
  const attendee = bundle ? bundle.attendees.find((a) => a.id === registrationId) : null;
  if (!attendee) return answer(unknown);
  const person = { name: attendee.name, organisation: attendee.organisation, notes: attendee.notes };
  const list = stationList();
  if (list.startsWith("session:") && !attendee.sessions.includes(Number(list.slice(8)))) {
    return answer("not_enrolled", person);
  }
  const first = await firstCheckin(registrationId, list);
  const now = new Date().toISOString();
  if (first) return answer("already_checked_in", person, { first_checked_in_at: first.at, first_station: first.station });
  await db.put("seen", { at: now, station: station ? station.name : "" }, `${registrationId}|${list}`);
  return answer("ok", person, { checked_in_at: now, first_checked_in_at: now });
}

// --- scanning -----------------------------------------------------------------------------------
function beep(kind) {
  try {
    const audio = new AudioContext();
    const tones = { ok: [880], warn: [440, 440], bad: [220, 180, 140] }[kind];
    tones.forEach((frequency, index) => {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(audio.currentTime + index * 0.18);
      oscillator.stop(audio.currentTime + index * 0.18 + 0.14);
    });
  } catch (error) {
    /* no sound on this device */
  }
}

let shown = 0;
let lastAnswer = null;
// Someone not enrolled in this workshop may be let in by staff while seats are free (the server
// records that): only online, only on a workshop's list, only after a "not enrolled" answer.
function canAdmit(answer, offline) {
  return answer.result === "not_enrolled" && !offline && stationList().startsWith("session:")
    && "seats_left" in answer && (answer.seats_left === null || answer.seats_left > 0);
}

function show(answer, offline) {
  const box = $("[data-result]");
  box.dataset.seq = String(++shown); // lets tests and assistive tooling tell one answer from the next
  const kind = answer.result === "ok" ? "ok" : answer.result === "already_checked_in" ? "warn" : "bad";
  box.hidden = false;
  box.className = `scan-result scan-result--${kind}`;
  box.dataset.result = answer.result;
  $("[data-result-title]").textContent = messages[answer.result] || messages.invalid;
  const attendee = answer.attendee || {};
  $("[data-result-name]").textContent = attendee.name || "";
  $("[data-result-organisation]").textContent = attendee.organisation || "";
  $("[data-result-notes]").textContent = attendee.notes ? `${messages.notes}: ${attendee.notes}` : "";
  let detail = "";
  if (answer.result === "already_checked_in") {
    const when = answer.first_checked_in_at ? new Date(answer.first_checked_in_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
    detail = fill(messages.first, { when, where: answer.first_station || "—" });
  } else if (answer.result === "not_enrolled" && answer.seats_left) {
    detail = fill(messages.seats, { n: answer.seats_left });
  } else if (answer.result === "no_place" && answer.status) {
    detail = fill(messages.status, { status: messages.statuses[answer.status] || answer.status });
  }
  if (offline) detail = `${detail} ${messages.offline}`.trim();
  $("[data-result-detail]").textContent = detail;
  lastAnswer = { ...answer, offline };
  $("[data-admit]").hidden = !canAdmit(answer, offline);
  beep(kind);
}

async function updateQueueLine() {
  const count = await db.count("queue");
  queueLine.textContent = count ? fill(messages.queue, { count }) : "";
}

// What was last sent (a code, or a registration found by name): "admit anyway" sends it again.
let lastRequest = null;
async function send(what, admit, decide) {
  if (stopped) return null;
  lastRequest = what;
  const scan = { ...what, scanned_at: new Date().toISOString(), nonce: crypto.randomUUID(), admit };
  let answer;
  try {
    const response = await api(root.dataset.api, { method: "POST", body: scan, timeout: 4000 });
    if (await checkStopped(response)) return null;
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = await response.json();
    show(answer, false);
  } catch (error) {
    // The network is gone (or the server is): decide here, keep the scan for later.
    answer = await decide();
    if (answer.result !== "invalid" && answer.result !== "wrong_congress") {
      await db.put("queue", { ...scan, offline: true });
    }
    show(answer, true);
  }
  await updateQueueLine();
  return answer;
}

async function scan(code, admit = false) {
  if (!code) return null;
  return send({ code }, admit, () => verifyOffline(code));
}

async function checkInPerson(registration, admit = false) {
  return send({ registration }, admit, () => decideOffline(registration, "invalid"));
}

let flushing = false;
let flushAgain = false; // asked (e.g. the network came back) while a flush was still waiting for an answer
async function flush() {
  if (stopped) return;
  if (flushing) {
    flushAgain = true;
    return;
  }
  flushing = true;
  try {
    for (const queued of await db.getAll("queue")) {
      const response = await api(root.dataset.api, { method: "POST", body: queued });
      if (await checkStopped(response)) return;
      if (response.ok || response.status === 422) await db.delete("queue", queued.nonce);
    }
  } catch (error) {
    /* still offline: try again later */
  } finally {
    flushing = false;
    await updateQueueLine();
    if (flushAgain) {
      flushAgain = false;
      flush();
    }
  }
}

$("[data-scan-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const code = input.value.trim();
  input.value = "";
  await scan(code);
  input.focus();
});
$("[data-admit]").addEventListener("click", async () => {
  // Only what the last answer allows (a stale button never re-sends an invalid code).
  if (!lastRequest || !lastAnswer || !canAdmit(lastAnswer, lastAnswer.offline)) return;
  await send(lastRequest, true, async () => ({ result: "not_enrolled", attendee: lastAnswer.attendee }));
  input.focus();
});

// --- who forgot their badge: find them by name, check them in by registration ----------------------
const LETTERS = { ı: "i", ß: "ss", ø: "o", Ø: "O", æ: "ae", Æ: "AE", œ: "oe", Œ: "OE", ł: "l", Ł: "L", đ: "d", Đ: "D", þ: "th", ð: "d" };
// As the server folds (congress.sanitize.fold): "Öztürk" → "ozturk", "José" → "jose".
function fold(text) {
  return String(text).replace(/[ıßøØæÆœŒłŁđĐþð]/g, (c) => LETTERS[c])
    .normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

const searchStatus = $("[data-search-status]");
const searchResults = $("[data-search-results]");
const SEARCH_LIMIT = 20;
const ACTIVE = ["confirmed", "pending"];

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

async function searchOffline(text) {
  const words = fold(text).split(/\s+/).filter(Boolean);
  const list = stationList();
  const matches = (bundle ? bundle.attendees : [])
    .filter((a) => { const hay = fold(`${a.name} ${a.organisation}`); return words.every((w) => hay.includes(w)); })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
  const people = [];
  for (const a of matches.slice(0, SEARCH_LIMIT)) {
    const first = await firstCheckin(a.id, list);
    people.push({ registration: a.id, name: a.name, organisation: a.organisation, status: a.status || "confirmed",
                  checked_in_at: first ? first.at : null });
  }
  return { people, more: matches.length > SEARCH_LIMIT, offline: true };
}

async function searchPeople(text) {
  if (!station) return searchOffline(text);
  const query = new URLSearchParams({ congress: station.congress, q: text });
  try {
    const response = await api(`${root.dataset.people}?${query}`, { timeout: 4000 });
    if (await checkStopped(response)) return { people: [], more: false };
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.json();
  } catch (error) {
    return searchOffline(text);
  }
}

function personItem(person) {
  const item = document.createElement("li");
  item.className = "station-person";
  item.dataset.registration = String(person.registration);
  const who = document.createElement("div");
  who.className = "station-person__who";
  const name = document.createElement("p");
  name.className = "station-person__name";
  name.textContent = person.name;
  const organisation = document.createElement("p");
  organisation.textContent = person.organisation;
  const state = document.createElement("p");
  state.className = "station-person__state";
  const active = ACTIVE.includes(person.status);
  state.textContent = person.checked_in_at ? fill(messages.checked_in_at, { time: clock(person.checked_in_at) })
    : active && person.status === "confirmed" ? messages.not_checked_in
      : messages.statuses[person.status] || person.status;
  if (person.status === "pending" && !person.checked_in_at) state.textContent += ` · ${messages.not_checked_in}`;
  who.append(name, organisation, state);
  item.append(who);
  if (active && !person.checked_in_at) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "utrecht-button utrecht-button--primary-action";
    button.dataset.checkInPerson = String(person.registration);
    button.textContent = messages.check_in;
    // Which of the "Check in" buttons this is, for a screen reader (the visible label comes first).
    button.setAttribute("aria-label", `${messages.check_in}: ${person.name}`);
    item.append(button);
  }
  return item;
}

let searchSeq = 0;
async function runSearch() {
  const text = nameInput.value.trim();
  const seq = ++searchSeq;
  if (fold(text).replace(/\s+/g, "").length < 2) {
    searchResults.replaceChildren();
    searchStatus.textContent = "";
    return;
  }
  searchStatus.textContent = messages.searching;
  const found = await searchPeople(text);
  if (seq !== searchSeq) return; // a later keystroke has its own answer
  searchResults.replaceChildren(...found.people.map(personItem));
  const count = found.people.length;
  let status = !count ? messages.found_none
    : found.more ? fill(messages.found_more, { count }) : fill(messages.found, { count });
  if (found.offline) status = `${status} ${messages.found_offline}`;
  searchStatus.textContent = status;
  searchResults.dataset.seq = String(seq);
}

let searchTimer = null;
nameInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 250);
});
$("[data-search-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = nameInput.value.trim();
  // A handheld scanner that typed a badge code into this field: scan it.
  if (/^C1[A-Z2-7]{127}$/i.test(text)) {
    nameInput.value = "";
    searchResults.replaceChildren();
    searchStatus.textContent = "";
    await scan(text);
    input.focus();
    return;
  }
  clearTimeout(searchTimer);
  await runSearch();
});
searchResults.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-check-in-person]");
  if (!button || stopped) return;
  button.disabled = true;
  const answer = await checkInPerson(Number(button.dataset.checkInPerson));
  if (answer && (answer.result === "ok" || answer.result === "already_checked_in")) {
    nameInput.value = "";
    searchResults.replaceChildren();
    searchStatus.textContent = "";
    input.focus();
  } else {
    button.disabled = false;
    const admit = $("[data-admit]");
    if (!admit.hidden) admit.focus();
  }
});
// Keep the focus in the field for handheld scanners in keyboard mode.
document.addEventListener("click", (event) => {
  if (!event.target.closest("button, a, input, video")) input.focus();
});

// --- camera: the browser's BarcodeDetector, else the ZXing WebAssembly polyfill from node_modules
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

export async function barcodeDetector() {
  if (!("BarcodeDetector" in window)) {
    await loadScript("/vendor/barcode-detector/dist/iife/polyfill.js");
    // Never the CDN the polyfill would use by default: the venue may have no internet.
    window.BarcodeDetectionAPI.setZXingModuleOverrides({
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? `/vendor/zxing-wasm/dist/reader/${path}` : prefix + path),
    });
  }
  return new window.BarcodeDetector({ formats: ["qr_code"] });
}
window.congresBarcodeDetector = barcodeDetector;

if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
  const cameraButton = $("[data-camera]");
  cameraButton.hidden = false;
  cameraButton.addEventListener("click", async () => {
    const video = $("[data-video]");
    const detector = await barcodeDetector();
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    let last = "";
    const tick = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length && codes[0].rawValue !== last) {
        last = codes[0].rawValue;
        await scan(last);
        setTimeout(() => { last = ""; }, 3000);
      }
      if (!video.hidden) setTimeout(tick, 150);
    };
    tick();
  });
}

if (!token) {
  stop(messages.not_set_up);
} else {
  await refresh();
  setInterval(refresh, 60000);
  setInterval(flush, 5000);
  window.addEventListener("online", flush);
  await updateQueueLine();
}
root.dataset.ready = "true";
