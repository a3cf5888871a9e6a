// nfs.js - the NFS service's files (services/nfs/, docs/nfs.md) as a page:
// the plan editor with the check's findings at their lines, the generated
// files per host, deploy with live progress, the observed state and the
// diagnosis with apply buttons, the topology graph and the report.
import * as api from './api.js';
import { $, esc, startPage, statusBadge, SelfGuard, Coalescer, Live, confirmDialog, showError } from './common.js';

const NFS = 'services/nfs';
const guard = new SelfGuard();
const loaded = {};            // tab -> true once shown with current data
let currentTab = 'plan';

async function read(path) {
	guard.begin(path);
	try { return await api.get(path); } finally { guard.end(path); }
}

function lines(text) { return String(text ?? '').split('\n').filter((l) => l.trim() !== ''); }
function statusText(s) { return String(s ?? '').trim(); }

// ================================================================ plan
const plan = {
	stored: '',          // the stored plan's text
	findings: [],        // {line, severity, rule, message}
	other: [],           // findings without a line
	stale: false,        // the text changed since the findings
};
const ta = $('#plan-text');

// "<error|warning> <rule> line <n>: <message>" (check), or a rejection:
// "plan rejected: error rw-on-ro line 18: ..." / "plan rejected: line 3:
// column 23: unknown or bad export option 'nosuch'".
function parseFinding(text, fallbackSeverity = 'error') {
	const m = /(?:\b(error|warning)\s+([a-z][a-z-]*)\s+)?line\s+(\d+):\s*(.*)$/.exec(text);
	if (!m) return null;
	return { severity: m[1] || fallbackSeverity, rule: m[2] || 'syntax', line: Number(m[3]), message: m[4] };
}

function renderEditor() {
	const text = ta.value;
	const ls = text.split('\n');
	const byLine = new Map();
	for (const f of plan.findings) {
		if (!byLine.has(f.line)) byLine.set(f.line, []);
		byLine.get(f.line).push(f);
	}
	const n = Math.max(ls.length, ...plan.findings.map((f) => f.line));
	let gutter = '';
	let back = '';
	for (let k = 1; k <= n; k++) {
		const fs = byLine.get(k) || [];
		const sev = fs.some((f) => f.severity === 'error') ? 'error' : fs.length ? 'warning' : '';
		const title = fs.map((f) => `${f.severity} ${f.rule}: ${f.message}`).join('\n');
		gutter += `<div class="${sev}"${title ? ` title="${esc(title)}"` : ''}>${k}</div>`;
		back += `<div class="pl ${sev}" data-line="${k}"><span>${esc(ls[k - 1] ?? '')}</span>` +
			fs.map((f) => `<span class="finding ${f.severity}" data-rule="${esc(f.rule)}">\u2190 ${esc(f.severity)} ${esc(f.rule)}: ${esc(f.message)}</span>`).join('') +
			'</div>';
	}
	$('#gutter').innerHTML = gutter + '<div></div>';
	$('#backdrop').innerHTML = back + '<div class="pl"></div>';
	$('#editor').classList.toggle('stale', plan.stale);
	syncScroll();
	const list = [...plan.findings].sort((a, b) => a.line - b.line).map((f) =>
		`<li class="${f.severity}" data-line="${f.line}"><a href="#plan" data-goto="${f.line}">line ${f.line}</a> ${esc(f.severity)} <b>${esc(f.rule)}</b>: ${esc(f.message)}</li>`);
	for (const o of plan.other) list.push(`<li class="error">${esc(o)}</li>`);
	$('#findings').innerHTML = list.join('');
}

function syncScroll() {
	$('#backdrop').scrollTop = ta.scrollTop;
	$('#backdrop').scrollLeft = ta.scrollLeft;
	$('#gutter').scrollTop = ta.scrollTop;
}

let editQueued = false;
ta.addEventListener('input', () => {
	plan.stale = plan.findings.length > 0;
	if (editQueued) return;
	editQueued = true;
	requestAnimationFrame(() => { editQueued = false; renderEditor(); });
});
ta.addEventListener('scroll', syncScroll);

$('#findings').addEventListener('click', (ev) => {
	const a = ev.target.closest('[data-goto]');
	if (!a) return;
	ev.preventDefault();
	const k = Number(a.dataset.goto);
	const ls = ta.value.split('\n');
	let start = 0;
	for (let i = 0; i < k - 1 && i < ls.length; i++) start += ls[i].length + 1;
	const end = start + (ls[k - 1] ?? '').length;
	ta.focus();
	ta.setSelectionRange(start, end);
	ta.scrollTop = Math.max(0, (k - 5) * 20);
	syncScroll();
});

async function loadCheck() {
	const c = await read(`${NFS}/check`);
	plan.findings = [];
	plan.other = [];
	for (const l of lines(c.content)) {
		const f = parseFinding(l, 'warning');
		if (f && /^(error|warning)\s/.test(l)) plan.findings.push(f);
		else plan.other.push(l);
	}
	plan.stale = false;
	return c;
}

function setPlanResult(html, state) {
	const r = $('#plan-result');
	r.innerHTML = html;
	r.dataset.state = state;
}

async function loadPlan() {
	const p = await read(`${NFS}/plan`);
	plan.stored = p.content ?? '';
	ta.value = plan.stored;
	const c = await loadCheck();
	const note = $('#plan-note');
	if (p.rc && p.rc !== 0) {
		note.textContent = `The last write of the plan was refused: ${statusText(p.status)}. The stored plan is shown.`;
		note.classList.remove('hidden');
	} else {
		note.classList.add('hidden');
	}
	setPlanResult(`stored plan; check: ${statusBadge(c.status, c.rc)}`, 'stored');
	renderEditor();
}

$('#plan-save').addEventListener('click', async () => {
	let text = ta.value;
	if (text && !text.endsWith('\n')) text += '\n';
	const b = $('#plan-save');
	b.disabled = true;
	setPlanResult('<span class="spinner muted">saving and checking</span>', 'saving');
	showError($('#error'), null);
	$('#plan-note').classList.add('hidden');
	try {
		guard.beginWrite(`${NFS}/plan`);
		let r;
		try { r = await api.put(`${NFS}/plan`, text); } finally { guard.endWrite(`${NFS}/plan`); }
		if (r.rc === 0) {
			plan.stored = text;
			const c = await loadCheck();
			setPlanResult(`stored; check: ${statusBadge(c.status, c.rc)}`, 'stored');
			loaded.generated = loaded.topology = false;
		} else {
			// refused: the stored plan is unchanged; the status names the first
			// error and its line
			const msg = statusText(r.status).replace(/^\d+\s*/, '');
			const f = parseFinding(msg);
			plan.findings = f ? [f] : [];
			plan.other = f ? [] : [msg];
			plan.stale = false;
			setPlanResult(`refused, the stored plan is unchanged: ${statusBadge(r.status, r.rc)}`, 'refused');
		}
	} catch (e) {
		setPlanResult('', 'error');
		showError($('#error'), e);
	} finally {
		b.disabled = false;
		renderEditor();
	}
});

$('#plan-revert').addEventListener('click', () => loadPlan().catch((e) => showError($('#error'), e)));

// ================================================================ generated
let genHost = null;

async function loadGenerated() {
	const d = await read(`${NFS}/generated`);
	const hosts = (d.entries || []).filter((e) => e.type === 'dir').map((e) => e.name);
	$('#gen-hosts').innerHTML = hosts.map((h) => `<button type="button" data-host="${esc(h)}">${esc(h)}</button>`).join('') ||
		'<span class="muted">The plan has no hosts.</span>';
	if (!hosts.includes(genHost)) genHost = hosts[0] ?? null;
	await showGenHost(genHost);
}

async function showGenHost(host) {
	genHost = host;
	for (const b of $('#gen-hosts').querySelectorAll('button')) b.classList.toggle('current', b.dataset.host === host);
	const box = $('#gen-files');
	delete box.dataset.host;
	if (!host) { box.innerHTML = ''; return; }
	box.innerHTML = `<span class="spinner muted">reading ${esc(host)}'s files</span>`;
	const d = await read(`${NFS}/generated/${host}`);
	const files = (d.entries || []).filter((e) => e.type === 'file').map((e) => e.name);
	const got = await Promise.all(files.map((f) => read(`${NFS}/generated/${host}/${f}`).then((x) => [f, x], (e) => [f, { error: e }])));
	if (genHost !== host) return;
	box.innerHTML = got.map(([f, x]) => `<div class="gen-file" data-file="${esc(f)}"><h3>${esc(f)} ` +
		(x.error ? `<span class="badge st-fail">${esc(x.error.message)}</span>` : statusBadge(x.status, x.rc)) +
		`</h3><pre class="content${x.content ? '' : ' empty'}">${esc(x.content ?? '')}</pre></div>`).join('') ||
		'<p class="muted">No files for this host.</p>';
	box.dataset.host = host;
}

$('#gen-hosts').addEventListener('click', (ev) => {
	const b = ev.target.closest('button[data-host]');
	if (b) showGenHost(b.dataset.host).catch((e) => showError($('#error'), e));
});

// ================================================================ deploy
const deploy = {
	running: false,        // a write of ours is in flight
	hosts: [],             // rows shown
	rows: new Map(),       // host -> {state, detail}
	activity: new Map(),   // host -> what the deployment did last on it (events)
	head: '',
};

// "deployment <id> <mode> <state> [due <time>]" then "<host> <state> <detail>"
function parseDeploy(text) {
	const out = { heads: [], rows: new Map(), hosts: [], other: [] };
	for (const l of lines(text)) {
		if (/^deployment\s/.test(l) || /^no deployment/.test(l)) { out.heads.push(l.trim()); continue; }
		const m = /^(\S+)\s+(\S+)\s?(.*)$/.exec(l);
		if (!m || l.startsWith('#')) { out.other.push(l); continue; }
		if (!out.rows.has(m[1])) out.hosts.push(m[1]);
		out.rows.set(m[1], { state: m[2], detail: m[3] });
	}
	return out;
}

function renderDeploy() {
	const head = $('#deploy-head');
	head.innerHTML = deploy.head ? esc(deploy.head).replace(/\b(done|partial|failed|interrupted|cancelled|scheduled|running|dry-run)\b/g, '<span class="ds-$1">$1</span>') : '';
	const tb = $('#deploy-table tbody');
	tb.innerHTML = deploy.hosts.map((h) => {
		const act = deploy.running ? deploy.activity.get(h) : null;
		const r = deploy.rows.get(h) || { state: deploy.running ? (act ? 'working' : 'waiting') : '', detail: '' };
		const detail = esc(r.detail) + (act ? ` <span class="muted spinner">${esc(act)}</span>` : '');
		return `<tr data-host="${esc(h)}" data-state="${esc(r.state)}"><td>${esc(h)}</td>` +
			`<td class="state ds-${esc(r.state)}">${esc(r.state)}</td><td>${detail}</td></tr>`;
	}).join('');
}

let deploySeq = 0;
async function loadDeploy() {
	const seq = ++deploySeq;
	const d = await read(`${NFS}/deploy`);
	if (seq !== deploySeq) return;       // a deployment started meanwhile
	const p = parseDeploy(d.content);
	deploy.head = p.heads.join(' \u00b7 ') || (lines(d.content)[0] ?? '');
	deploy.rows = p.rows;
	// the hosts the deployment names, then the other plan hosts (generated/)
	// (in the deployment's order: servers first)
	deploy.hosts = [...p.hosts, ...deploy.hosts.filter((h) => !p.hosts.includes(h))];
	renderDeploy();
	const raw = $('#deploy-raw');
	raw.textContent = p.other.join('\n');
	raw.classList.toggle('hidden', p.other.length === 0);
	$('#deploy-table').dataset.deployment = deploy.head;
}

async function planHosts() {
	try {
		const d = await read(`${NFS}/generated`);
		return (d.entries || []).filter((e) => e.type === 'dir').map((e) => e.name);
	} catch { return []; }
}

async function startDeploy(what) {
	let body = what;
	if (what === 'at') {
		const v = $('#deploy-at').value;
		if (!v) { $('#deploy-at').focus(); return; }
		const t = new Date(v);
		if (Number.isNaN(t.getTime())) { showError($('#error'), new Error('not a time: ' + v)); return; }
		body = 'at ' + t.toISOString().replace(/\.\d{3}Z$/, 'Z');
	}
	if (what === 'now' || what === 'at') {
		const ok = await confirmDialog({
			title: what === 'now' ? 'Deploy now' : 'Schedule a deployment',
			text: what === 'now'
				? 'Write the generated files to every host whose files changed, activate and verify them (a host that fails is rolled back)?'
				: `Deploy at ${body.slice(3)}?`,
			confirm: what === 'now' ? 'Deploy' : 'Schedule',
		});
		if (!ok) return;
	}
	const result = $('#deploy-result');
	const buttons = document.querySelectorAll('[data-deploy]');
	for (const b of buttons) b.disabled = true;
	result.innerHTML = `<span class="spinner muted">${esc(body)}: running</span>`;
	result.dataset.state = 'running';
	let state = 'error';
	deploy.running = true;
	deploySeq++;                         // a read of the last one still on its way is void
	deploy.activity.clear();
	deploy.rows = new Map();
	const hosts = await planHosts();
	for (const h of hosts) if (!deploy.hosts.includes(h)) deploy.hosts.push(h);
	deploy.head = `deployment (${body}) running`;
	renderDeploy();
	document.body.dataset.deploy = 'running';
	guard.beginWrite(`${NFS}/deploy`);
	try {
		const r = await api.put(`${NFS}/deploy`, body + '\n');
		result.innerHTML = `${esc(body)}: ${statusBadge(r.status, r.rc)}`;
		result.dataset.rc = r.rc ?? '';
		state = 'done';
	} catch (e) {
		result.innerHTML = `<span class="badge st-fail">${esc(body)}: ${esc(e.message)}</span>`;
		showError($('#error'), e);
	} finally {
		deploy.running = false;
		guard.endWrite(`${NFS}/deploy`);
	}
	// the final states, then the buttons again
	await loadDeploy().catch((e) => showError($('#error'), e));
	for (const b of buttons) b.disabled = false;
	result.dataset.state = state;
	document.body.dataset.deploy = 'done';
	loaded.monitor = false;
}

$('#tab-deploy').addEventListener('click', (ev) => {
	const b = ev.target.closest('button[data-deploy]');
	if (b) startDeploy(b.dataset.deploy).catch((e) => showError($('#error'), e));
});

// ================================================================ diagnosis
// "<id> <rule> <subject>: <evidence> -> <proposed action>"
function parseDiagnosis(text) {
	const findings = [];
	const other = [];
	for (const l of lines(text)) {
		const m = /^([0-9a-f]{4,})\s+([a-z][a-z-]*)\s+(.*?):\s(.*)\s->\s(.*)$/.exec(l);
		if (m) findings.push({ id: m[1], rule: m[2], subject: m[3], evidence: m[4], action: m[5] });
		else other.push(l);
	}
	return { findings, other };
}

async function loadDiagnosis() {
	const tb = $('#diag-table tbody');
	$('#diag-result').innerHTML = '<span class="spinner muted">reading the hosts</span>';
	const d = await read(`${NFS}/diagnosis`);
	const p = parseDiagnosis(d.content);
	const tell = (a) => /tell the admin/.test(a) && !/first/.test(a);
	tb.innerHTML = p.findings.map((f) => `<tr data-id="${esc(f.id)}" data-rule="${esc(f.rule)}">` +
		`<td class="id">${esc(f.id)}</td><td class="rule">${esc(f.rule)}</td><td>${esc(f.subject)}</td>` +
		`<td>${esc(f.evidence)}</td><td>${esc(f.action)}</td>` +
		`<td>${tell(f.action) ? '' : `<button type="button" data-apply="${esc(f.id)}">Apply</button>`}</td></tr>`).join('');
	$('#diag-table').classList.toggle('hidden', p.findings.length === 0);
	const o = $('#diag-other');
	o.textContent = p.other.join('\n');
	o.classList.toggle('hidden', p.other.length === 0);
	$('#diag-result').innerHTML = `${p.findings.length} finding${p.findings.length === 1 ? '' : 's'}; <span class="muted">diagnosis.status</span> ${statusBadge(d.status, d.rc)}`;
	$('#tab-monitor').dataset.findings = String(p.findings.length);
}

$('#diag-table').addEventListener('click', async (ev) => {
	const b = ev.target.closest('button[data-apply]');
	if (!b) return;
	const tr = b.closest('tr');
	const id = b.dataset.apply;
	const action = tr.children[4].textContent;
	const ok = await confirmDialog({ title: `Apply ${id}`, text: `${tr.children[1].textContent} ${tr.children[2].textContent}: ${action}?`, confirm: 'Apply' });
	if (!ok) return;
	b.disabled = true;
	b.classList.add('spinner');
	guard.beginWrite(`${NFS}/diagnosis`);
	try {
		const r = await api.put(`${NFS}/diagnosis`, `apply ${id}\n`);
		$('#diag-result').innerHTML = `apply ${esc(id)}: ${statusBadge(r.status, r.rc)}`;
		$('#diag-result').dataset.rc = r.rc ?? '';
	} catch (e) {
		showError($('#error'), e);
	} finally {
		guard.endWrite(`${NFS}/diagnosis`);
	}
	await loadDiagnosis().catch((e) => showError($('#error'), e));
});
$('#diag-reload').addEventListener('click', () => loadDiagnosis().catch((e) => showError($('#error'), e)));

// ================================================================ observed
async function loadObservedHosts() {
	const d = await read(`${NFS}/observed`);
	const hosts = (d.entries || []).filter((e) => e.type === 'dir').map((e) => e.name);
	$('#observed').innerHTML = hosts.map((h) => `<details class="host" data-host="${esc(h)}"><summary>${esc(h)}</summary><div class="obs"></div></details>`).join('') ||
		'<p class="muted">The plan has no hosts.</p>';
}

async function fileBlocks(dir, prefix = '') {
	const d = await read(dir);
	let html = '';
	for (const e of d.entries || []) {
		if (e.type === 'dir') {
			html += await fileBlocks(`${dir}/${e.name}`, `${prefix}${e.name}/`);
			continue;
		}
		let x;
		try { x = await read(`${dir}/${e.name}`); } catch (err) { x = { content: '', status: err.message, rc: err.errno ?? -1 }; }
		html += `<h3>${esc(prefix + e.name)} ${statusBadge(x.status, x.rc)}</h3><pre class="content${x.content ? '' : ' empty'}">${esc(x.content ?? '')}</pre>`;
	}
	return html;
}

async function loadObservedHost(det) {
	const box = det.querySelector('.obs');
	box.innerHTML = '<span class="spinner muted">asking the host</span>';
	try {
		box.innerHTML = (await fileBlocks(`${NFS}/observed/${det.dataset.host}`)) || '<p class="muted">Nothing observed.</p>';
	} catch (e) {
		box.innerHTML = `<div class="error-box">${esc(e.message)}</div>`;
	}
	det.dataset.loaded = '1';
}

// 'toggle' does not bubble: listen in the capture phase
$('#observed').addEventListener('toggle', (ev) => {
	const det = ev.target;
	if (det.matches && det.matches('details.host') && det.open) loadObservedHost(det);
}, true);

// ================================================================ topology, report
// The SVG comes from Graphviz with the plan's names in it: parsed, stripped
// of anything active, then put in the page.
function safeSvg(text) {
	const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
	const svg = doc.documentElement;
	if (!svg || svg.localName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
	for (const el of [svg, ...svg.querySelectorAll('*')]) {
		if (['script', 'foreignObject', 'iframe', 'object', 'embed', 'animate', 'set'].includes(el.localName)) { el.remove(); continue; }
		for (const a of [...el.attributes]) {
			if (/^on/i.test(a.name) || a.localName === 'style' || (a.localName === 'href' && !a.value.startsWith('#'))) el.removeAttributeNode(a);
		}
	}
	return document.importNode(svg, true);
}

async function loadTopology() {
	const box = $('#topology');
	const [t, r] = await Promise.allSettled([read(`${NFS}/topology.svg`), read(`${NFS}/report`)]);
	box.innerHTML = '';
	if (t.status === 'fulfilled' && t.value.rc === 0) {
		const svg = safeSvg(t.value.content || '');
		if (svg) box.append(svg);
		else box.innerHTML = '<p class="muted">The topology is not an SVG picture.</p>';
	} else {
		const why = t.status === 'fulfilled' ? statusText(t.value.status) : t.reason.message;
		box.innerHTML = `<div class="error-box">No topology: ${esc(why)}</div>`;
	}
	const rep = $('#report');
	if (r.status === 'fulfilled') {
		rep.innerHTML = lines(r.value.content).map((l) => /^spof\s/.test(l) ? `<span class="spof">${esc(l)}</span>` : esc(l)).join('\n');
	} else {
		rep.textContent = r.reason.message;
	}
}

// ================================================================ tabs
const LOADERS = {
	plan: loadPlan,
	generated: loadGenerated,
	deploy: async () => {
		if (!deploy.hosts.length) deploy.hosts = await planHosts();
		await loadDeploy();
	},
	monitor: async () => { await Promise.all([loadDiagnosis(), loadObservedHosts()]); },
	topology: loadTopology,
};

function tabOf() {
	const t = location.hash.replace(/^#/, '');
	return LOADERS[t] ? t : 'plan';
}

async function showTab(tab) {
	currentTab = tab;
	for (const a of $('#tabs').querySelectorAll('a')) a.classList.toggle('current', a.dataset.tab === tab);
	for (const s of document.querySelectorAll('section.tab')) s.classList.toggle('hidden', s.id !== 'tab-' + tab);
	document.body.dataset.tab = tab;
	// while deploying, what the runner does on each host comes from the
	// events of systems/servers/<host>/nfs/
	live.set(tab === 'deploy' ? [NFS, 'systems/servers'] : [NFS]);
	if (loaded[tab]) return;
	showError($('#error'), null);
	try {
		await LOADERS[tab]();
		loaded[tab] = true;
	} catch (e) {
		showError($('#error'), e);
	}
}

// ================================================================ live updates
const refresh = new Coalescer(async (what) => {
	for (const w of what) {
		loaded[w] = false;
		if (w === currentTab) {
			try { await LOADERS[w](); loaded[w] = true; } catch (e) { console.warn(w, e); }
		}
	}
}, 250);

function onChange(ev) {
	const p = ev.path;
	const m = /^systems\/servers\/([^/]+)\/nfs\/(.+)$/.exec(p);
	if (m) {
		// the deployment at work on a host: shown while ours runs
		if (deploy.running && !m[2].endsWith('.status')) {
			const verb = { write: 'writing', 'agent.write': 'running', 'agent.read': 'reading' }[ev.op] || ev.op || 'changing';
			deploy.activity.set(m[1], `${verb} ${m[2]}`);
			renderDeploy();
		} else if (!deploy.running && currentTab === 'deploy' && ev.op === 'write') {
			// a deployment not started here (an "at" one, another user's):
			// its states, as deploy shows them
			refresh.add('deploy');
		}
		return;
	}
	if (!p.startsWith(NFS + '/')) return;
	const rel = p.slice(NFS.length + 1);
	const item = rel.split('/')[0].replace(/\.status$/, '');
	if (guard.mine(ev)) return;
	switch (item) {
	case 'plan':
	case 'check':
		loaded.generated = loaded.topology = false;
		if (ta.value !== plan.stored) {
			const note = $('#plan-note');
			note.textContent = 'The stored plan was changed meanwhile (by someone else): "Back to the stored plan" shows it; saving replaces it.';
			note.classList.remove('hidden');
		} else {
			refresh.add('plan');
		}
		if (currentTab === 'generated' || currentTab === 'topology') refresh.add(currentTab);
		break;
	case 'deploy':
		if (ev.content !== undefined) {
			// a server that sends the new content with the event
			const pd = parseDeploy(ev.content);
			deploy.rows = pd.rows;
			deploy.head = pd.heads.join(' \u00b7 ');
			renderDeploy();
		} else if (!deploy.running) {
			// (while our write runs, a read of deploy would wait for it)
			refresh.add('deploy');
		}
		break;
	case 'diagnosis':
		refresh.add('monitor');
		break;
	case 'observed': {
		const host = rel.split('/')[1];
		const det = host && document.querySelector(`details.host[data-host="${CSS.escape(host)}"]`);
		if (det && det.open && currentTab === 'monitor' && ev.op === 'write') loadObservedHost(det);
		break;
	}
	case 'generated':
		loaded.generated = false;
		if (currentTab === 'generated') refresh.add('generated');
		break;
	default:
		if (item === 'topology.svg' || item === 'topology.dot' || item === 'report') refresh.add('topology');
	}
}

const live = new Live(onChange, () => { for (const k of Object.keys(loaded)) loaded[k] = false; showTab(currentTab); });

window.addEventListener('hashchange', () => showTab(tabOf()));

await startPage('nfs');
await showTab(tabOf());
