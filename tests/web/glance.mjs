// glance.mjs - how fast the cluster page is interactive: loads
// cluster.html#kind=KIND (logged in) RUNS times and prints, per run and
// as medians, the ms from the start of the navigation until the grid is
// built (every node a cell, clickable) and until every cell shows its
// power (one batch request).  The values should be cached (run it twice,
// or a [cache] model for power) to measure the page, not the BMCs.
//   node glance.mjs     BASE_URL, WEB_USER/USER, PASSWORD as for run.mjs;
//   GLANCE_KIND (default servers), GLANCE_RUNS (default 5)
import { newPage, login, env, browser, shot } from './lib.mjs';

const kind = process.env.GLANCE_KIND || 'servers';
const runs = Number(process.env.GLANCE_RUNS || 5);
if (!env.base || !env.user || !env.password) {
	console.error('BASE_URL, USER and PASSWORD must be set');
	process.exit(2);
}
const page = await newPage({ width: 1280, height: 900 });
await login(page, 'tree.html');
const grid = [], power = [];
let nodes = 0;
for (let i = 0; i < runs + 1; i++) {
	await page.goto('about:blank');
	await page.goto(`cluster.html#kind=${kind}`);
	await page.waitForFunction(() => document.body.dataset.powerAt, null, { timeout: 120000 });
	const r = await page.evaluate(() => ({
		nodes: Number(document.body.dataset.nodes),
		grid: Number(document.body.dataset.gridAt),
		power: Number(document.body.dataset.powerAt),
		pending: document.querySelectorAll('#grid .c.v-pend').length,
	}));
	nodes = r.nodes;
	if (i === runs) {
		// where the last run's time went: the page's own requests
		const reqs = await page.evaluate(() => performance.getEntriesByType('resource')
			.filter((e) => /\/api\/|\.js$/.test(e.name))
			.map((e) => `${decodeURIComponent(e.name.replace(/^.*?\/(api\/|js\/)/, '$1'))} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)} ms`));
		console.log('last run, requests (from the start of the navigation): ' + reqs.join('; '));
	}
	if (i === 0) { console.log(`warm-up: ${JSON.stringify(r)}`); continue; }   // fills the caches
	console.log(`run ${i}: ${r.nodes} nodes, grid built at ${r.grid} ms, power shown at ${r.power} ms (${r.pending} cells without a value)`);
	grid.push(r.grid);
	power.push(r.power);
}
// pictures of the grid (SHOT_DIR): by power, then by temperature
await shot(page, 'cluster-glance-power');
await page.selectOption('#colour', 'temperature');
await page.waitForTimeout(100);
await shot(page, 'cluster-glance-temperature');
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({ kind, nodes, runs, grid_ms_median: med(grid), power_ms_median: med(power) }));
await (await browser()).close();
