// api.js - the JSON API of sysman-web as the pages use it (docs/web.md).
//
// Every URL is relative ("api/..."), so the pages also work behind a
// proxy that puts them under a prefix.  The CSRF token comes from log-in
// or GET api/session and goes with every change (X-CSRF-Token).

export class ApiError extends Error {
	constructor(httpStatus, body) {
		super((body && body.error) || `HTTP ${httpStatus}`);
		this.httpStatus = httpStatus;
		this.errno = body && body.errno !== undefined ? body.errno : null;
		this.status = body && body.status !== undefined ? body.status : null;
		this.retryAfter = null;
	}
}

let csrf = null;
let who = null;

export function user() { return who; }

// "a//b/./c/" -> "a/b/c"; ".." goes up but never above the root.
export function cleanPath(path) {
	const out = [];
	for (const c of String(path || '').split('/')) {
		if (c === '' || c === '.') continue;
		if (c === '..') { out.pop(); continue; }
		out.push(c);
	}
	return out.join('/');
}

// Each component percent-encoded on its own: a '/' inside a name cannot
// happen, and an encoded slash is never sent.
export function encodePath(path) {
	return cleanPath(path).split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

export function treeUrl(path) { return 'api/tree/' + encodePath(path); }

function batchUrl(path) { return 'api/batch?path=' + encodeURIComponent(cleanPath(path)); }

export function toLogin() {
	const here = location.pathname.replace(/^.*\//, '') + location.search + location.hash;
	location.assign('login.html?next=' + encodeURIComponent(here || 'tree.html'));
}

async function errorOf(res) {
	const text = await res.text().catch(() => '');
	let body = null;
	try { body = text ? JSON.parse(text) : null; } catch { body = null; }
	const e = new ApiError(res.status, body || { error: text.trim() || res.statusText || `HTTP ${res.status}` });
	e.retryAfter = res.headers.get('Retry-After');
	return e;
}

async function request(method, url, { body, contentType, stream = false, quiet401 = false } = {}) {
	const headers = {};
	if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
	if (contentType) headers['Content-Type'] = contentType;
	const res = await fetch(url, { method, body, headers, credentials: 'same-origin', cache: 'no-store' });
	if (!res.ok) {
		const e = await errorOf(res);
		if (res.status === 401 && !quiet401) toLogin();
		throw e;
	}
	if (stream) return res;
	const text = await res.text();
	if (!text) return null;
	try { return JSON.parse(text); } catch { throw new ApiError(res.status, { error: 'the server answered something that is not JSON' }); }
}

// The session of this browser, or null when not logged in.
export async function session() {
	try {
		const s = await request('GET', 'api/session', { quiet401: true });
		csrf = s.csrf; who = s.user;
		return s;
	} catch (e) {
		if (e.httpStatus === 401) return null;
		throw e;
	}
}

export async function login(userName, password) {
	const s = await request('POST', 'api/login', {
		body: JSON.stringify({ user: userName, password }),
		contentType: 'application/json', quiet401: true,
	});
	csrf = s.csrf; who = s.user;
	return s;
}

export async function logout() {
	try { await request('POST', 'api/logout', { quiet401: true }); } finally { csrf = null; who = null; }
}

// A file: {path, type:"file", content, status, rc, mtime, writable}
// (reading it runs its agent, as cat does); a directory: {path,
// type:"dir", entries:[{name, type, mtime, writable, status, rc}]}.
export function get(path) { return request('GET', treeUrl(path)); }

// Writes bytes as `printf %s BYTES > path` would: {status, rc}.
export function put(path, bytes) {
	return request('PUT', treeUrl(path), { body: bytes, contentType: 'application/octet-stream' });
}

// {results:[{path, content, status, rc} | {path, error, errno}]}
export function batchGet(path) { return request('GET', batchUrl(path)); }

// Writes bytes to every file the path names; onResult is called with each
// per-node line as it arrives ({path, status, rc} or {path, error, errno});
// resolves with the closing {done, ok, failed}.
export async function batchPut(path, bytes, onResult) {
	const res = await request('PUT', batchUrl(path), {
		body: bytes, contentType: 'application/octet-stream', stream: true,
	});
	const reader = res.body.getReader();
	const dec = new TextDecoder();
	let buf = '';
	let summary = null;
	const line = (l) => {
		if (!l.trim()) return;
		let o;
		try { o = JSON.parse(l); } catch { return; }
		if (o.done) summary = o; else onResult(o);
	};
	for (;;) {
		const { value, done } = await reader.read();
		if (done) break;
		buf += dec.decode(value, { stream: true });
		let i;
		while ((i = buf.indexOf('\n')) >= 0) {
			line(buf.slice(0, i));
			buf = buf.slice(i + 1);
		}
	}
	buf += dec.decode();
	line(buf);
	if (!summary) throw new ApiError(0, { error: 'the result stream ended before its last line' });
	return summary;
}

// Server-sent events for changes under the prefixes: onChange({path, op,
// ...}); onState('live' | 'reconnecting' | 'closed', wasDown).
export function watch(prefixes, onChange, onState = () => {}) {
	const q = prefixes.map((p) => 'path=' + encodeURIComponent(cleanPath(p))).join('&');
	const es = new EventSource('api/events' + (q ? '?' + q : ''));
	let down = false;
	es.addEventListener('change', (ev) => {
		let d;
		try { d = JSON.parse(ev.data); } catch { return; }
		if (d && typeof d.path === 'string') {
			d.path = cleanPath(d.path);
			onChange(d);
		}
	});
	// the server dropped events for us (a slow page): read everything again
	es.addEventListener('overflow', () => onState('live', true));
	es.onopen = () => { onState('live', down); down = false; };
	es.onerror = () => {
		down = true;
		onState(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting', true);
	};
	return es;
}
