// common.js - what every page shares: the log-in check, the header, the
// .status colours and ages, the live-update connection.
import * as api from './api.js';

export function esc(s) {
	return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function $(sel, root = document) { return root.querySelector(sel); }

// The page's start: the session (else the log-in page), the header.
// The bar at the top of every page (each page has an empty <header class="top">).
const TOP_BAR = `
  <a class="brand" href="tree.html">Sysman</a>
  <nav>
    <a href="tree.html" data-page="tree">Tree</a>
    <a href="cluster.html" data-page="cluster">Cluster</a>
    <a href="nfs.html" data-page="nfs">NFS</a>
  </nav>
  <span class="spacer"></span>
  <span class="live" id="live">connecting</span>
  <span class="who" id="who"></span>
  <button type="button" id="logout">Log out</button>`;

export async function startPage(current) {
	let s;
	const top = $('header.top');
	if (top && !top.children.length) top.innerHTML = TOP_BAR;
	try {
		s = await api.session();
	} catch (e) {
		document.body.insertAdjacentHTML('afterbegin',
			`<div class="error-box">The server does not answer: ${esc(e.message)}</div>`);
		throw e;
	}
	if (!s) {
		api.toLogin();
		return new Promise(() => {});
	}
	const nav = $('header.top nav');
	if (nav) {
		for (const a of nav.querySelectorAll('a')) a.classList.toggle('current', a.dataset.page === current);
	}
	const whoEl = $('#who');
	if (whoEl) whoEl.textContent = s.user;
	const out = $('#logout');
	if (out) {
		out.addEventListener('click', async () => {
			try { await api.logout(); } catch { /* gone already */ }
			location.assign('login.html');
		});
	}
	document.body.dataset.user = s.user;
	return s;
}

// The colour class of a .status: none (no .status), pending (empty: a
// first run is pending, or no rc could be read), ok (rc 0), fail.
export function statusClass(status, rc) {
	if (status === null || status === undefined) return 'st-none';
	if (rc === null || rc === undefined) return 'st-pending';
	return rc === 0 ? 'st-ok' : 'st-fail';
}

export function statusBadge(status, rc) {
	const cls = statusClass(status, rc);
	if (cls === 'st-none') return '<span class="badge st-none"></span>';
	const text = cls === 'st-pending' ? (String(status).trim() || 'pending') : String(status).trim();
	const short = text.length > 60 ? text.slice(0, 57) + '...' : text;
	return `<span class="badge ${cls}" title="${esc(text)}">${esc(short)}</span>`;
}

// "12 s ago" from seconds since the epoch.
export function age(mtime, now = Date.now() / 1000) {
	if (mtime === null || mtime === undefined || mtime === '') return '';
	if (Number(mtime) <= 0) return 'never';       // no agent has refreshed it yet
	let d = Math.max(0, Math.round(now - mtime));
	if (d < 60) return `${d} s ago`;
	d = Math.floor(d / 60);
	if (d < 60) return `${d} min ago`;
	d = Math.floor(d / 60);
	if (d < 48) return `${d} h ago`;
	return `${Math.floor(d / 24)} d ago`;
}

// Elements with data-mtime show their age; refreshed locally every 5 s
// (no request to the server).
export function tickAges(root = document) {
	const now = Date.now() / 1000;
	for (const el of root.querySelectorAll('[data-mtime]')) {
		if (el.dataset.mtime === '') continue;
		const m = Number(el.dataset.mtime);
		if (Number.isFinite(m)) el.textContent = age(m, now);
	}
}
setInterval(() => tickAges(), 5000);

// Natural order: n2 before n10, 127.1.0.9 before 127.1.0.10.
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
export function natural(a, b) { return collator.compare(a, b); }

// Paths this page has just read or written itself.  Reading a file runs
// its agent, which the server reports as a change of the file and its
// .status; a page that re-read on those events would read forever.  A
// change that is not a write, to a path read in the last `ms`, is taken
// as our own; so is any change to a path we are writing or just wrote
// (the page reads it again itself when the write returns).
export class SelfGuard {
	constructor(ms = 2000) { this.ms = ms; this.reads = new Map(); this.writes = new Map(); }
	begin(key) { this.reads.set(key, Infinity); }
	end(key) { this.reads.set(key, performance.now() + this.ms); }
	beginWrite(key) { this.writes.set(key, Infinity); }
	endWrite(key) { this.writes.set(key, performance.now() + this.ms); }
	mine(ev, ...keys) {
		const base = ev.path.endsWith('.status') ? ev.path.slice(0, -7) : ev.path;
		const now = performance.now();
		const hit = (map) => [base, ...keys].some((k) => { const t = map.get(k); return t !== undefined && now < t; });
		if (hit(this.writes)) return true;
		return ev.op !== 'write' && hit(this.reads);
	}
}

// Collects keys and calls fn(keys) once per burst, never twice at once.
export class Coalescer {
	constructor(fn, delay = 150) { this.fn = fn; this.delay = delay; this.keys = new Set(); this.timer = null; this.running = false; }
	add(key) {
		this.keys.add(key);
		this.kick();
	}
	kick() {
		if (this.timer || this.running) return;
		this.timer = setTimeout(() => this.flush(), this.delay);
	}
	async flush() {
		this.timer = null;
		if (this.running || this.keys.size === 0) return;
		const keys = [...this.keys];
		this.keys.clear();
		this.running = true;
		try { await this.fn(keys); } catch (e) { console.error(e); } finally {
			this.running = false;
			if (this.keys.size) this.kick();
		}
	}
}

// The live connection of a page: events for the prefixes, the state shown
// in the header (#live), the whole view re-read after a reconnection (a
// change may have been missed meanwhile).  set() changes the prefixes.
export class Live {
	constructor(onChange, onResync) {
		this.onChange = onChange;
		this.onResync = onResync;
		this.es = null;
		this.prefixes = null;
		this.retry = null;
	}
	set(prefixes) {
		const key = JSON.stringify(prefixes);
		if (this.es && key === JSON.stringify(this.prefixes)) return;
		this.prefixes = prefixes;
		this.open();
	}
	open() {
		if (this.es) this.es.close();
		clearTimeout(this.retry);
		this.show('reconnecting');
		this.es = api.watch(this.prefixes, this.onChange, (state, wasDown) => {
			this.show(state);
			if (state === 'live' && wasDown) this.onResync();
			if (state === 'closed') {
				// the browser does not retry a refused stream: see whether the
				// session ended, else try again in a while
				this.retry = setTimeout(async () => {
					const s = await api.session().catch(() => 'down');
					if (s === null) api.toLogin();
					else this.open();
				}, 3000);
			}
		});
	}
	show(state) {
		const el = $('#live');
		if (!el) return;
		el.textContent = state === 'live' ? 'live' : state === 'closed' ? 'not live' : 'connecting';
		el.className = 'live ' + (state === 'live' ? 'on' : state === 'closed' ? 'off' : '');
		document.body.dataset.live = state;
	}
}

// A confirmation in a <dialog>: resolves true when confirmed.
export function confirmDialog({ title, text, targets = '', confirm = 'Confirm', danger = false }) {
	let dlg = $('#confirm-dialog');
	if (!dlg) {
		document.body.insertAdjacentHTML('beforeend', `
<dialog id="confirm-dialog">
  <form method="dialog">
    <h3></h3>
    <p class="text"></p>
    <div class="targets"></div>
    <div class="buttons">
      <button value="cancel" class="cancel">Cancel</button>
      <button value="ok" class="ok">Confirm</button>
    </div>
  </form>
</dialog>`);
		dlg = $('#confirm-dialog');
	}
	$('h3', dlg).textContent = title;
	$('.text', dlg).textContent = text;
	const t = $('.targets', dlg);
	t.textContent = targets;
	t.classList.toggle('hidden', !targets);
	const ok = $('.ok', dlg);
	ok.textContent = confirm;
	ok.className = 'ok ' + (danger ? 'danger' : 'primary');
	dlg.returnValue = '';
	return new Promise((resolve) => {
		dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
		dlg.showModal();
		$('.cancel', dlg).focus();
	});
}

export function showError(el, e) {
	if (!el) return;
	if (!e) { el.classList.add('hidden'); el.textContent = ''; return; }
	let msg = e.message || String(e);
	if (e.errno !== null && e.errno !== undefined) msg += ` (errno ${e.errno})`;
	if (e.status) msg += ` - status: ${e.status}`;
	el.textContent = msg;
	el.classList.remove('hidden');
}
