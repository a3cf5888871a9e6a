// cluster.js - the cluster at a glance: every device of a kind as one cell
// of a grid, coloured by power, temperature, up/down or last status, read
// with one batch request per property (systems/<kind>/*/<property>).
// A node set (ClusterShell syntax, passed into the batch path as typed)
// selects; bulk actions write to the selection behind a confirmation and
// show each node's result as it arrives.  Changes come as server-sent
// events and are read again for the nodes they concern.
//
// Speed: one DOM element per cell, built with one innerHTML; one listener
// on the grid for all cells; repaints only of changed cells, once a frame.
import * as api from './api.js';
import { $, esc, startPage, statusBadge, natural, SelfGuard, Coalescer, Live, confirmDialog, showError } from './common.js';
import { fold } from './nodeset.js';

const WANTED = ['power', 'temperature', 'uptime'];    // read when the devices have them
const ACTED = ['command'];                            // written by the actions, read on news

const st = {
	kind: null,
	base: '',            // systems/<kind>
	depth: 0,            // components of base
	names: [],
	index: new Map(),    // name -> i
	cells: [],
	props: [],           // of WANTED, those the devices have
	vals: {},            // prop -> array of {c, s, rc}
	last: [],            // {s, rc, what}
	act: [],             // '', 'run', 'ok', 'fail'
	sel: null,           // null = no selection (all); else Set of i
	selExpr: '',         // the node set the selection was made from
	focus: -1,
	mode: 'power',
	seq: 0,
};
const guard = new SelfGuard();
let dirtyCells = new Set();
let paintQueued = false;

// ------------------------------------------------------------ colours
function powerClass(r) {
	if (!r) return 'v-pend';
	if (r.rc !== 0 && r.rc !== null && r.rc !== undefined) return 'v-err';
	const t = String(r.c ?? '').trim().toLowerCase();
	if (/(^|\s)(on|1)$/.test(t)) return 'v-on';
	if (/(^|\s)(off|0)$/.test(t)) return 'v-off';
	return t ? 'v-other' : 'v-pend';
}

function temperatureOf(r) {
	if (!r || (r.rc !== 0 && r.rc !== null && r.rc !== undefined)) return null;
	const m = /-?\d+(\.\d+)?/.exec(String(r.c ?? ''));
	return m ? Number(m[0]) : null;
}

function temperatureClass(r) {
	if (!r) return 'v-pend';
	const t = temperatureOf(r);
	if (t === null) return r.rc ? 'v-err' : 'v-none';
	return t < 30 ? 'v-t0' : t < 40 ? 'v-t1' : t < 55 ? 'v-t2' : t < 70 ? 'v-t3' : 'v-t4';
}

// up: the node answers (its uptime read succeeds; without an uptime file,
// its power read)
function upProp() { return st.props.includes('uptime') ? 'uptime' : st.props.includes('power') ? 'power' : null; }
function upClass(i) {
	const p = upProp();
	const r = p && st.vals[p][i];
	if (!r) return 'v-pend';
	return r.rc === 0 ? 'v-up' : 'v-down';
}

function lastClass(i) {
	const r = st.last[i];
	if (!r) return 'v-pend';
	if (r.rc === null || r.rc === undefined) return 'v-pend';
	return r.rc === 0 ? 'v-ok' : 'v-fail';
}

function valueClass(i) {
	switch (st.mode) {
	case 'power': return st.props.includes('power') ? powerClass(st.vals.power[i]) : 'v-none';
	case 'temperature': return st.props.includes('temperature') ? temperatureClass(st.vals.temperature[i]) : 'v-none';
	case 'up': return upProp() ? upClass(i) : 'v-none';
	default: return lastClass(i);
	}
}

const LEGENDS = {
	power: [['v-on', 'on'], ['v-off', 'off'], ['v-other', 'other'], ['v-err', 'read failed'], ['v-pend', 'not read yet']],
	temperature: [['v-t0', '< 30'], ['v-t1', '30-39'], ['v-t2', '40-54'], ['v-t3', '55-69'], ['v-t4', '70 and more'], ['v-err', 'read failed'], ['v-pend', 'not read yet']],
	up: [['v-up', 'up (answers)'], ['v-down', 'down (no answer)'], ['v-pend', 'not read yet']],
	last: [['v-ok', 'last status 0'], ['v-fail', 'last status not 0'], ['v-pend', 'pending / none']],
};

function renderLegend() {
	let items = LEGENDS[st.mode];
	let note = '';
	if (st.mode === 'up') note = upProp() === 'uptime' ? ' (uptime read)' : upProp() ? ' (power read)' : '';
	if (st.mode !== 'last' && st.mode !== 'up' && !st.props.includes(st.mode)) {
		items = [];
		note = `these devices have no ${st.mode} file`;
	}
	$('#legend').innerHTML = items.map(([c, t]) => `<span><i class="${c}"></i>${esc(t)}</span>`).join('') +
		(note ? `<span>${esc(note)}</span>` : '');
}

// ------------------------------------------------------------ painting
function paintCell(i) {
	const cell = st.cells[i];
	if (!cell) return;
	let cls = 'c ' + valueClass(i);
	if (st.sel && st.sel.has(i)) cls += ' sel';
	if (st.act[i]) cls += ' a-' + st.act[i];
	if (st.focus === i) cls += ' focus';
	if (cell.className !== cls) cell.className = cls;
}

function queuePaint(i) {
	if (i === undefined) {
		for (let k = 0; k < st.cells.length; k++) dirtyCells.add(k);
	} else {
		dirtyCells.add(i);
	}
	if (paintQueued) return;
	paintQueued = true;
	requestAnimationFrame(() => {
		paintQueued = false;
		const d = dirtyCells;
		dirtyCells = new Set();
		for (const k of d) paintCell(k);
		renderSummary();
		if (d.has(st.focus)) renderDetail();
	});
}

function renderSummary() {
	const n = st.names.length;
	const counts = new Map();
	for (let i = 0; i < n; i++) {
		const c = valueClass(i);
		counts.set(c, (counts.get(c) || 0) + 1);
	}
	const label = Object.fromEntries(LEGENDS[st.mode].map(([c, t]) => [c, t]));
	const parts = [`${n} ${n === 1 ? 'node' : 'nodes'}`];
	for (const [c, k] of counts) if (label[c]) parts.push(`${k} ${label[c]}`);
	if (st.sel) parts.push(`${st.sel.size} selected`);
	$('#summary').textContent = parts.join(' \u00b7 ');
	$('#target-count').textContent = st.sel ? `${st.sel.size} selected ${st.sel.size === 1 ? 'node' : 'nodes'}` : `all ${n} nodes`;
}

function tooltip(i) {
	const lines = [st.names[i]];
	for (const p of st.props) {
		const r = st.vals[p][i];
		if (!r) continue;
		const v = String(r.c ?? '').trim().split('\n')[0];
		lines.push(`${p}: ${v}${r.rc ? ` (status ${String(r.s ?? '').trim()})` : ''}`);
	}
	if (upProp() && st.vals[upProp()][i]) lines.push(upClass(i) === 'v-up' ? 'up' : 'down');
	if (st.last[i]) lines.push(`last status: ${String(st.last[i].s ?? '').trim() || 'pending'} (${st.last[i].what})`);
	return lines.join('\n');
}

function renderDetail() {
	const i = st.focus;
	const box = $('#detail');
	if (i < 0 || i >= st.names.length) return;
	const name = st.names[i];
	let html = `<h2>${esc(name)}</h2><dl class="kv">`;
	for (const p of st.props) {
		const r = st.vals[p][i];
		const v = r ? String(r.c ?? '').trim() : '';
		html += `<dt>${esc(p)}</dt><dd>${r ? esc(v.length > 200 ? v.slice(0, 200) + '...' : v) + ' ' + statusBadge(r.s, r.rc) : '<span class="muted">not read yet</span>'}</dd>`;
	}
	if (upProp()) html += `<dt>up/down</dt><dd>${st.vals[upProp()][i] ? (upClass(i) === 'v-up' ? 'up' : 'down') : '<span class="muted">not known yet</span>'}</dd>`;
	for (const p of ACTED) {
		const r = st.vals[p][i];
		if (!r) continue;
		const v = String(r.c ?? '').trim();
		html += `<dt>${esc(p)}</dt><dd>${statusBadge(r.s, r.rc)}<pre class="content">${esc(v.length > 2000 ? v.slice(0, 2000) + '...' : v)}</pre></dd>`;
	}
	const l = st.last[i];
	html += `<dt>last status</dt><dd>${l ? statusBadge(l.s ?? '', l.rc) + ` <span class="muted">${esc(l.what)}</span>` : '<span class="muted">none</span>'}</dd>`;
	html += `</dl><p><a href="tree.html#${esc(api.encodePath(st.base + '/' + name))}">open ${esc(name)} in the tree</a></p>`;
	box.innerHTML = html;
	box.dataset.node = name;
}

// ------------------------------------------------------------ data
function nodeOf(path) {
	const parts = api.cleanPath(path).split('/');
	return parts.length > st.depth ? parts[st.depth] : null;
}

function apply(prop, results) {
	for (const r of results || []) {
		const i = st.index.get(nodeOf(r.path));
		if (i === undefined) continue;
		const v = r.error !== undefined && r.error !== null
			? { c: null, s: r.error, rc: r.errno ?? -1 }
			: { c: r.content, s: r.status, rc: r.rc };
		st.vals[prop][i] = v;
		if (v.s !== null && v.s !== undefined) st.last[i] = { s: v.s, rc: v.rc, what: `${prop} read` };
		queuePaint(i);
	}
}

// Reads one property of the nodes the set names ('*' = all).  The agent
// runs this causes come back as events: those of the paths read (names
// given), or of the whole property (a '*' read), are ours for a while.
async function readProp(prop, set, seq = st.seq, names = null) {
	const keys = names ? names.map((n) => `${st.base}/${n}/${prop}`) : ['prop:' + prop];
	for (const k of keys) guard.begin(k);
	try {
		const r = await api.batchGet(`${st.base}/${set}/${prop}`);
		if (seq === st.seq) apply(prop, r.results);
	} finally {
		for (const k of keys) guard.end(k);
	}
}

async function readOne(prop, name) {
	const path = `${st.base}/${name}/${prop}`;
	guard.begin(path);
	try {
		const f = await api.get(path);
		apply(prop, [{ path, content: f.content, status: f.status, rc: f.rc }]);
	} finally {
		guard.end(path);
	}
}

// A '*' read of a property: a batch names only the paths that exist, so
// a property the devices do not have answers nothing and is dropped.
async function readWhole(prop, seq, pending = null) {
	guard.begin('prop:' + prop);
	try {
		let r;
		try {
			r = await (pending || api.batchGet(`${st.base}/*/${prop}`));
		} catch (e) {
			if (e.httpStatus !== 404) throw e;
			r = { results: [] };
		}
		if (seq !== st.seq) return;
		const results = r.results || [];
		if (!results.length) {
			st.props = st.props.filter((p) => p !== prop);
			renderLegend();
			queuePaint();
			return;
		}
		apply(prop, results);
	} finally {
		guard.end('prop:' + prop);
	}
}

async function readAll(seq = st.seq, powerPending = null) {
	delete document.body.dataset.ready;
	try {
		// power first (what the grid shows at once), then the others together
		if (st.props.includes('power')) {
			await readWhole('power', seq, powerPending);
			// ms since the navigation began: the grid shows every node's power
			// once this frame is painted (bench: tests/web/glance.mjs)
			await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
			if (seq === st.seq) document.body.dataset.powerAt = String(Math.round(performance.now()));
		}
		await Promise.all(st.props.filter((p) => p !== 'power').map((p) => readWhole(p, seq)));
	} catch (e) {
		if (seq === st.seq) showError($('#error'), e);
	}
	if (seq === st.seq) document.body.dataset.ready = '1';
}

// (Re)builds the grid for these names, keeping what is known of the
// nodes already there.
function build(names) {
	const old = { index: st.index, vals: st.vals, last: st.last, act: st.act, sel: st.sel, focus: st.names[st.focus] };
	st.names = names;
	st.index = new Map(names.map((n, i) => [n, i]));
	const move = (arr) => {
		const out = new Array(names.length);
		if (arr && old.index) for (const [n, i] of old.index) if (st.index.has(n)) out[st.index.get(n)] = arr[i];
		return out;
	};
	const vals = {};
	for (const p of [...WANTED, ...ACTED]) vals[p] = move(old.vals && old.vals[p]);
	st.vals = vals;
	st.last = move(old.last);
	st.act = move(old.act).map((x) => x || '');
	st.sel = old.sel && old.index ? new Set([...old.sel].map((i) => st.index.get([...old.index.keys()][i])).filter((i) => i !== undefined)) : null;
	st.focus = old.focus !== undefined && st.index.has(old.focus) ? st.index.get(old.focus) : -1;
	const grid = $('#grid');
	grid.classList.toggle('has-sel', !!st.sel);
	// thousands of nodes: small cells without labels (the name is in the
	// tooltip and the side panel), unless asked otherwise
	if (!compactChosen) $('#compact').checked = names.length > 400;
	grid.classList.toggle('compact', $('#compact').checked);
	grid.innerHTML = names.map((n, i) => `<div class="c v-pend" data-i="${i}">${esc(n)}</div>`).join('');
	st.cells = Array.from(grid.children);
	$('#no-nodes').classList.toggle('hidden', names.length > 0);
	document.body.dataset.nodes = String(names.length);
	queuePaint();
}

async function loadKind(kind) {
	const seq = ++st.seq;
	st.kind = kind;
	st.base = `systems/${kind}`;
	st.depth = st.base.split('/').length;
	showError($('#error'), null);
	delete document.body.dataset.ready;
	const t0 = performance.now();
	st.names = [];
	st.index = new Map();
	st.vals = {};
	st.sel = null;
	st.focus = -1;
	changed.clear();                 // news of the kind shown before
	// the listing and the power values at once; the grid is drawn from the
	// first to arrive (with thousands of nodes the batch answers sooner
	// than the listing), and completed from the listing
	const nodesOf = (results) => [...new Set((results || []).map((r) => nodeOf(r.path)).filter(Boolean))].sort(natural);
	const powerPending = api.batchGet(`${st.base}/*/power`);
	const listing = api.get(st.base).then((d) =>
		(d.entries || []).filter((e) => e.type === 'dir' || e.type === 'link').map((e) => e.name).sort(natural));
	const names = await Promise.race([listing,
		powerPending.then((r) => (r.results && r.results.length ? nodesOf(r.results) : listing), () => listing)]);
	if (seq !== st.seq) return;
	st.props = names.length ? [...WANTED] : [];     // until a batch answers nothing
	build(names);
	document.body.dataset.gridMs = String(Math.round(performance.now() - t0));
	document.body.dataset.gridAt = String(Math.round(performance.now()));
	renderLegend();
	live.set([st.base]);
	listing.then((all) => {
		if (seq !== st.seq || all.every((n) => st.index.has(n))) return;
		// devices without a power file: the listing has them
		const union = [...new Set([...st.names, ...all])].sort(natural);
		if (!st.props.length && union.length) st.props = [...WANTED];
		build(union);
	}).catch((e) => { if (seq === st.seq) showError($('#error'), e); });
	const nodeset = $('#nodeset').value.trim();
	if (nodeset && nodeset !== '*') select(nodeset).catch((e) => showError($('#error'), e));
	await readAll(seq, powerPending);
}

// ------------------------------------------------------------ selection
function setSelection(indices, expr) {
	for (const i of st.sel || []) queuePaint(i);
	st.sel = indices ? new Set(indices) : null;
	st.selExpr = indices ? expr : '';
	for (const i of st.sel || []) queuePaint(i);
	$('#grid').classList.toggle('has-sel', !!st.sel);
	writeHash();
	queuePaint(st.focus >= 0 ? st.focus : undefined);
}

// The members of a node set, as the server expands it: a batch read of
// the set's directories (the nodes that exist; no agent runs for them).
async function members(expr) {
	let r;
	try {
		r = await api.batchGet(`${st.base}/${expr}`);
	} catch (e) {
		// a server that reads only files: the set's first property instead
		if (!st.props.length || e.httpStatus === 401) throw e;
		r = await api.batchGet(`${st.base}/${expr}/${st.props[0]}`);
		apply(st.props[0], r.results);
	}
	const out = [];
	for (const x of r.results || []) {
		if (x.errno === 2) continue;          // no such node
		const i = st.index.get(nodeOf(x.path));
		if (i !== undefined) out.push(i);
	}
	return out;
}

async function select(expr) {
	expr = expr.trim();
	if (!expr || expr === '*') { setSelection(null, ''); return; }
	const idx = await members(expr);
	setSelection(idx, expr);
}

// The batch path's node component for an action: what the user typed.
function targetExpr() { return st.sel ? st.selExpr : '*'; }
function targets() { return st.sel ? [...st.sel] : st.names.map((_, i) => i); }

function writeHash() {
	const h = new URLSearchParams();
	if (st.kind) h.set('kind', st.kind);
	if (st.selExpr) h.set('nodes', st.selExpr);
	if (st.mode !== 'power') h.set('colour', st.mode);
	history.replaceState(null, '', '#' + h.toString());
}

// ------------------------------------------------------------ actions
async function bulk(file, bytes, label) {
	const typed = $('#nodeset').value.trim();
	// the box was edited since the last selection: take what it says now
	if ((typed || '') !== (st.selExpr || '') && !(typed === '*' && !st.sel)) await select(typed);
	const idx = targets();
	if (!idx.length) { showError($('#error'), new Error('no node is selected')); return; }
	const expr = targetExpr();
	const path = `${st.base}/${expr}/${file}`;
	const names = idx.map((i) => st.names[i]);
	const ok = await confirmDialog({
		title: label,
		text: `Write "${bytes.trim()}" to ${file} of ${idx.length} ${idx.length === 1 ? 'node' : 'nodes'} (${path})?`,
		targets: fold(names),
		confirm: label,
		danger: file === 'power' && bytes.trim() !== 'on',
	});
	if (!ok) return;
	const panel = $('#results-panel');
	panel.classList.remove('hidden');
	$('#results-title').textContent = `${label}: ${expr === '*' ? 'all' : expr}`;
	const list = $('#results');
	list.innerHTML = '';
	const prog = $('#results-progress');
	prog.max = idx.length;
	prog.value = 0;
	let done = 0, failed = 0;
	const count = () => {
		$('#results-count').textContent = `${done} of ${idx.length} done`;
		$('#results-failed').textContent = failed ? `${failed} failed` : '';
		prog.value = done;
	};
	count();
	panel.dataset.state = 'running';
	for (const i of idx) { st.act[i] = 'run'; queuePaint(i); }
	let pending = [];
	let flushQueued = false;
	const flush = () => {
		flushQueued = false;
		const frag = document.createDocumentFragment();
		for (const r of pending) {
			const li = document.createElement('li');
			const bad = r.error !== undefined || (r.rc !== 0 && r.rc !== null && r.rc !== undefined);
			li.className = bad ? 'st-fail' : (r.rc === 0 ? 'st-ok' : 'st-pending');
			li.dataset.node = nodeOf(r.path) ?? r.path;
			const n = document.createElement('span');
			n.className = 'n';
			n.textContent = li.dataset.node;
			li.append(n, document.createTextNode(r.error !== undefined ? `${r.error} (errno ${r.errno})` : (String(r.status ?? '').trim() || 'pending')));
			frag.append(li);
		}
		pending = [];
		list.append(frag);
		count();
	};
	try {
		const summary = await api.batchPut(path, bytes, (r) => {
			const i = st.index.get(nodeOf(r.path));
			const bad = r.error !== undefined || (r.rc !== 0 && r.rc !== null && r.rc !== undefined);
			done++;
			if (bad) failed++;
			if (i !== undefined) {
				st.act[i] = bad ? 'fail' : 'ok';
				st.last[i] = { s: r.error !== undefined ? r.error : r.status, rc: r.error !== undefined ? (r.errno ?? -1) : r.rc, what: `${file} write` };
				queuePaint(i);
			}
			pending.push(r);
			if (!flushQueued) { flushQueued = true; requestAnimationFrame(flush); }
		});
		flush();
		$('#results-count').textContent = `done: ${summary.ok} ok`;
		$('#results-failed').textContent = summary.failed ? `${summary.failed} failed` : '';
		panel.dataset.state = 'done';
		panel.dataset.ok = String(summary.ok);
		panel.dataset.failed = String(summary.failed);
	} catch (e) {
		flush();
		panel.dataset.state = 'error';
		showError($('#error'), e);
	}
	for (const i of idx) if (st.act[i] === 'run') { st.act[i] = ''; queuePaint(i); }
	// the outlines fade after a while; the values change through events
	setTimeout(() => {
		for (const i of idx) if (st.act[i] === 'ok') { st.act[i] = ''; queuePaint(i); }
	}, 8000);
}

// ------------------------------------------------------------ live updates
const changed = new Map();    // prop -> Set of names
const reread = new Coalescer(async (props) => {
	for (const prop of props) {
		const names = [...(changed.get(prop) || [])];
		changed.delete(prop);
		if (!names.length) continue;
		try {
			if (names.length === 1) await readOne(prop, names[0]);
			else await readProp(prop, fold(names), st.seq, names);
		} catch (e) {
			console.warn('re-read of', prop, e);
		}
	}
}, 200);
const relist = new Coalescer(() => loadKind(st.kind), 500);

function onChange(ev) {
	const parts = ev.path.split('/');
	if (parts.length === st.depth + 1 && ev.path.startsWith(st.base + '/')) {
		// a device appeared or went
		if (!st.index.has(parts[st.depth])) relist.add('list');
		return;
	}
	if (parts.length !== st.depth + 2) return;
	const name = parts[st.depth];
	let prop = parts[st.depth + 1];
	if (prop.endsWith('.status')) prop = prop.slice(0, -7);
	if (!st.index.has(name)) { relist.add('list'); return; }
	// a file of an action (command): its news is the end of its agent's run
	// (the audit log's agent.write), read in bursts like the values
	const acted = ACTED.includes(prop);
	if (!st.props.includes(prop) && !acted) return;
	if (acted && ev.op === 'write') return;
	// (reading a command file runs no agent: nothing of ours to ignore)
	if (!acted && guard.mine(ev, 'prop:' + prop)) return;
	if (!changed.has(prop)) changed.set(prop, new Set());
	changed.get(prop).add(name);
	reread.add(prop);
}

const live = new Live(onChange, () => { st.props = [...WANTED]; readAll(); });

// ------------------------------------------------------------ events of the page
const grid = $('#grid');
grid.addEventListener('click', (ev) => {
	const cell = ev.target.closest('.c');
	if (!cell) return;
	const i = Number(cell.dataset.i);
	if (ev.ctrlKey || ev.metaKey || ev.shiftKey) {
		const now = new Set(st.sel || []);
		if (now.has(i)) now.delete(i); else now.add(i);
		const names = [...now].map((k) => st.names[k]);
		const expr = fold(names);
		$('#nodeset').value = expr;
		setSelection(now.size ? [...now] : null, expr);
		return;
	}
	const old = st.focus;
	st.focus = i;
	if (old >= 0) queuePaint(old);
	queuePaint(i);
	renderDetail();
});
grid.addEventListener('mouseover', (ev) => {
	const cell = ev.target.closest('.c');
	if (cell) cell.title = tooltip(Number(cell.dataset.i));
});

$('#select-form').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	showError($('#error'), null);
	try { await select($('#nodeset').value); } catch (e) { showError($('#error'), e); }
});
$('#clear').addEventListener('click', () => { $('#nodeset').value = ''; setSelection(null, ''); });
$('#colour').addEventListener('change', () => {
	st.mode = $('#colour').value;
	renderLegend();
	writeHash();
	queuePaint();
});
$('#kind').addEventListener('change', () => {
	$('#nodeset').value = '';
	st.selExpr = '';
	loadKind($('#kind').value).catch((e) => showError($('#error'), e));
	writeHash();
});
$('#refresh').addEventListener('click', () => { st.props = [...WANTED]; readAll(); });
let compactChosen = false;
$('#compact').addEventListener('change', () => {
	compactChosen = true;
	$('#grid').classList.toggle('compact', $('#compact').checked);
});
$('#actions').addEventListener('click', (ev) => {
	const b = ev.target.closest('button[data-action]');
	if (!b) return;
	showError($('#error'), null);
	if (b.dataset.action === 'power') {
		bulk('power', b.dataset.value + '\n', b.textContent).catch((e) => showError($('#error'), e));
	} else {
		const cmd = $('#command').value.trim();
		if (!cmd) { $('#command').focus(); return; }
		bulk('command', cmd + '\n', `Run "${cmd}"`).catch((e) => showError($('#error'), e));
	}
});

// ------------------------------------------------------------ start
await startPage('cluster');
const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
st.mode = ['power', 'temperature', 'up', 'last'].includes(hash.get('colour')) ? hash.get('colour') : 'power';
$('#colour').value = st.mode;
$('#nodeset').value = hash.get('nodes') || '';
// the kind asked for (or servers) at once; the list of kinds beside it
const want = hash.get('kind') || 'servers';
const kindsP = api.get('systems').then((sys) =>
	(sys.entries || []).filter((e) => e.type === 'dir').map((e) => e.name).sort(natural));
const first = loadKind(want).then(() => true, (e) => e);
try {
	const kinds = await kindsP;
	$('#kind').innerHTML = kinds.map((k) => `<option value="${esc(k)}">${esc(k)}</option>`).join('');
	if (kinds.includes(want)) $('#kind').value = want;
	const ok = await first;
	if (ok === true && kinds.includes(want)) {
		// shown
	} else if (kinds.length) {
		// no such kind here: the first there is
		$('#kind').value = kinds[0];
		await loadKind(kinds[0]);
	} else {
		$('#no-nodes').classList.remove('hidden');
	}
} catch (e) {
	showError($('#error'), e);
}
