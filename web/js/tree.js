// tree.js - the tree, browsable: a directory lists its entries with their
// .status colour and age; a file shows its content (reading it runs its
// agent, as cat does), its .status, its age and, when the user may write
// it, a write box.  The place is in the URL's hash (tree.html#systems/bmcs).
import * as api from './api.js';
import { $, esc, startPage, statusBadge, statusClass, age, tickAges, natural, SelfGuard, Coalescer, Live, showError } from './common.js';

const view = {
	path: '',        // what is shown
	target: null,    // what is being loaded (the latest navigation)
	type: null,      // 'dir' | 'file'
	seq: 0,          // a newer navigation cancels an older one's rendering
};
const guard = new SelfGuard();

function hashPath() {
	const h = location.hash.replace(/^#/, '');
	try {
		return api.cleanPath(h.split('/').map(decodeURIComponent).join('/'));
	} catch {
		return '';
	}
}

function href(path) { return '#' + api.encodePath(path); }

function parentOf(path) {
	const i = path.lastIndexOf('/');
	return i < 0 ? '' : path.slice(0, i);
}

function renderCrumbs(path) {
	const parts = path ? path.split('/') : [];
	let html = `<a href="#" data-crumb="">/sysman</a>`;
	let acc = '';
	parts.forEach((p, i) => {
		acc = acc ? acc + '/' + p : p;
		html += '<span class="sep">/</span>';
		html += i === parts.length - 1 ? `<span>${esc(p)}</span>` : `<a href="${esc(href(acc))}">${esc(p)}</a>`;
	});
	$('#crumbs').innerHTML = html;
}

function entryRow(path, e) {
	const full = path ? `${path}/${e.name}` : e.name;
	const w = e.writable ? '<span class="muted" title="you may write it">w</span>' : '';
	return `<tr data-name="${esc(e.name)}" class="${statusClass(e.status, e.rc)}">` +
		`<td class="name"><a class="${esc(e.type)}" href="${esc(href(full))}">${esc(e.name)}</a></td>` +
		`<td class="type">${esc(e.type)}</td>` +
		`<td class="status">${statusBadge(e.status, e.rc)}</td>` +
		`<td class="age" data-mtime="${e.mtime ?? ''}">${esc(age(e.mtime))}</td>` +
		`<td>${w}</td></tr>`;
}

function renderDir(d, flash = new Set()) {
	const order = { dir: 0, link: 1, file: 2 };
	const entries = [...(d.entries || [])].sort((a, b) =>
		(order[a.type] ?? 3) - (order[b.type] ?? 3) || natural(a.name, b.name));
	const tbody = $('#entries tbody');
	tbody.innerHTML = entries.map((e) => entryRow(view.path, e)).join('');
	for (const name of flash) {
		const tr = tbody.querySelector(`tr[data-name="${CSS.escape(name)}"]`);
		if (tr) tr.classList.add('flash');
	}
	$('#empty-dir').classList.toggle('hidden', entries.length > 0);
	$('#dir-view').classList.remove('hidden');
	$('#file-view').classList.add('hidden');
	document.body.dataset.view = 'dir';
}

let shownFile = null;
function renderFile(f) {
	if (shownFile !== view.path) {
		// another file: its own write box
		$('#write-result').textContent = '';
		delete $('#write-result').dataset.rc;
		$('#write-text').value = '';
		shownFile = view.path;
	}
	$('#file-path').textContent = '/' + (f.path || view.path);
	$('#file-status').innerHTML = statusBadge(f.status, f.rc);
	const ageEl = $('#file-age');
	ageEl.dataset.mtime = f.mtime ?? '';
	ageEl.textContent = age(f.mtime);
	const pre = $('#file-content');
	pre.textContent = f.content ?? '';
	pre.classList.toggle('empty', !f.content);
	$('#write-box').classList.toggle('hidden', !f.writable);
	$('#read-only').classList.toggle('hidden', !!f.writable);
	$('#file-view').classList.remove('hidden');
	$('#dir-view').classList.add('hidden');
	document.body.dataset.view = 'file';
	document.body.dataset.rc = f.rc ?? '';
}

async function load(path, { flash } = {}) {
	const seq = ++view.seq;
	view.target = path;
	showError($('#error'), null);
	renderCrumbs(path);
	document.title = 'Sysman - /' + path;
	document.body.dataset.loading = '1';
	try {
		// reading a file runs its agent: the change events that causes are ours
		guard.begin(path);
		let d;
		try { d = await api.get(path); } finally { guard.end(path); }
		if (seq !== view.seq) return;
		view.path = path;
		view.type = d.type;
		if (d.type === 'dir') {
			renderDir(d, flash);
			live.set([path]);
		} else {
			renderFile(d);
			live.set([parentOf(path)]);
		}
	} catch (e) {
		if (seq !== view.seq) return;
		showError($('#error'), e);
		$('#dir-view').classList.add('hidden');
		$('#file-view').classList.add('hidden');
	} finally {
		if (seq === view.seq) delete document.body.dataset.loading;
	}
}

// ------------------------------------------------------------ live updates
const dirty = new Coalescer(async (names) => {
	// a navigation on its way shows fresh data anyway; a refresh of the old
	// place must not overtake it
	if (view.target !== view.path) return;
	if (view.type === 'dir') await load(view.path, { flash: new Set(names) });
	else if (view.type === 'file') await load(view.path);
});

function onChange(ev) {
	const p = ev.path;
	if (view.type === 'dir') {
		let rel = view.path ? (p.startsWith(view.path + '/') ? p.slice(view.path.length + 1) : null) : p;
		if (rel === null || rel === '') return;
		if (rel.includes('/')) return;              // deeper than this listing
		if (rel.endsWith('.status')) rel = rel.slice(0, -7);
		dirty.add(rel);
	} else if (view.type === 'file') {
		if (p !== view.path && p !== view.path + '.status') return;
		if (guard.mine(ev)) return;
		dirty.add(view.path);
	}
}

const live = new Live(onChange, () => load(view.target ?? view.path));

// ------------------------------------------------------------ writing
$('#write-box').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const path = view.path;
	let bytes = $('#write-text').value;
	if ($('#write-newline').checked && !bytes.endsWith('\n')) bytes += '\n';
	const out = $('#write-result');
	const button = $('#write-button');
	button.disabled = true;
	out.innerHTML = '<span class="spinner muted">writing</span>';
	guard.beginWrite(path);
	try {
		const r = await api.put(path, bytes);
		out.innerHTML = 'written' + (r.status === null || r.status === undefined ? '' : ': ' + statusBadge(r.status, r.rc));
		out.dataset.rc = r.rc ?? '';
	} catch (e) {
		out.innerHTML = `<span class="badge st-fail">${esc(e.message)}${e.status ? ' - ' + esc(e.status) : ''}</span>`;
		out.dataset.rc = e.errno ?? 'error';
	} finally {
		guard.endWrite(path);
		button.disabled = false;
	}
	if (view.path === path) await load(path);   // as `cat` after `echo >`
});

$('#reload').addEventListener('click', () => load(view.target ?? view.path));

window.addEventListener('hashchange', () => load(hashPath()));

await startPage('tree');
await load(hashPath());
tickAges();
