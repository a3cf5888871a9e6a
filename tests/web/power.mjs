// power.mjs - the cluster at a glance: the grid of a kind's devices,
// coloured by power; a node powered off elsewhere (the tree page's write
// box, in a second tab) turns off in the grid without a reload (server-
// sent events); a bulk "Power on" on a node set, behind the confirmation,
// shows the node's result as it arrives and turns it on again.
//   POWER_KIND  systems/<kind> to show (default bmcs)
//   POWER_NODE  the node to switch (default: the grid's first)
import { test, newPage, samePage, login, check, shot } from './lib.mjs';

const kind = process.env.POWER_KIND || 'bmcs';

async function cellClass(page, node) {
	return page.$eval(`#grid .c:text-is("${node}")`, (c) => c.className);
}

async function waitCell(page, node, cls, timeout = 30000) {
	await page.waitForFunction(([n, c]) => {
		const cell = [...document.querySelectorAll('#grid .c')].find((x) => x.textContent === n);
		return cell && cell.classList.contains(c);
	}, [node, cls], { timeout });
}

test('cluster: grid by power; a node powered off in another tab turns off live; bulk power on with confirmation and per-node results', async () => {
	const grid = await newPage({ width: 1280, height: 900 });
	await login(grid, `cluster.html#kind=${kind}`);
	await grid.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
	const n = Number(await grid.evaluate(() => document.body.dataset.nodes));
	check(n > 0, `the grid has ${kind}`);
	check(await grid.locator('#grid .c').count() === n, 'one cell per node');
	const node = process.env.POWER_NODE || await grid.textContent('#grid .c >> nth=0');
	const before = await cellClass(grid, node);
	check(/v-on|v-off/.test(before), `${node} shows its power (${before})`);
	await shot(grid, 'cluster');

	// power it off from the tree page of the same session
	const tree = await samePage(grid);
	await tree.goto(`tree.html#systems/${kind}/${node}/power`);
	await tree.waitForFunction(() => document.body.dataset.view === 'file' && !document.body.dataset.loading);
	await tree.fill('#write-text', 'off');
	await tree.click('#write-button');
	await tree.waitForFunction(() => document.querySelector('#write-result').dataset.rc !== undefined &&
		!document.querySelector('#write-result .spinner'));
	check(await tree.getAttribute('#write-result', 'data-rc') === '0', `the write returned rc 0: ${await tree.textContent('#write-result')}`);
	await tree.waitForFunction(() => /off/.test(document.querySelector('#file-content').textContent));
	await shot(tree, 'tree-power-off');

	// the grid, untouched, follows
	const t0 = Date.now();
	await waitCell(grid, node, 'v-off');
	console.log(`  # ${node} turned off in the grid ${Date.now() - t0} ms after the tree page showed it`);
	check(await grid.evaluate(() => document.body.dataset.live) === 'live', 'the grid is live');

	// bulk: power the node set back on
	await grid.bringToFront();
	await grid.fill('#nodeset', node);
	await grid.click('#select');
	await grid.waitForFunction(() => document.querySelectorAll('#grid .c.sel').length === 1);
	await grid.click('#actions button[data-value="on"]');
	const dlg = grid.locator('#confirm-dialog');
	await dlg.waitFor({ state: 'visible' });
	const said = await dlg.textContent();
	check(said.includes('1 node') && said.includes(node), `the confirmation names the target: ${said}`);
	await shot(grid, 'cluster-confirm');
	await dlg.locator('button.ok').click();
	await grid.waitForFunction(() => document.querySelector('#results-panel').dataset.state === 'done', null, { timeout: 60000 });
	const rows = await grid.$$eval('#results li', (lis) => lis.map((l) => [l.dataset.node, l.className, l.textContent]));
	check(rows.length === 1 && rows[0][0] === node && rows[0][1] === 'st-ok', `one result line, ok, for ${node}: ${JSON.stringify(rows)}`);
	await waitCell(grid, node, 'v-on');
	await shot(grid, 'cluster-results');
});

test('cluster: a node set that names no device, and a malformed one, say so', async () => {
	const page = await newPage();
	await login(page, `cluster.html#kind=${kind}`);
	await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60000 });
	await page.fill('#nodeset', 'no-such-node[1-3]');
	await page.click('#select');
	await page.waitForFunction(() => /0 selected/.test(document.querySelector('#summary').textContent) ||
		!document.querySelector('#error').classList.contains('hidden'));
	await page.fill('#nodeset', 'n[1-');
	await page.click('#select');
	await page.locator('#error').waitFor({ state: 'visible' });
});

test('cluster: a command on a node set, confirmed; each node\'s result, then its output in the side panel', async () => {
	const ckind = process.env.COMMAND_KIND || 'servers';
	const page = await newPage({ width: 1280, height: 900 });
	await login(page, `cluster.html#kind=${ckind}`);
	await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 120000 });
	const names = await page.$$eval('#grid .c', (cs) => cs.map((c) => c.textContent));
	check(names.length >= 2, `systems/${ckind} has at least 2 nodes`);
	// ctrl-click two cells: the box gets their node set
	await page.click('#grid .c >> nth=0', { modifiers: ['Control'] });
	await page.click('#grid .c >> nth=1', { modifiers: ['Control'] });
	const set = await page.inputValue('#nodeset');
	check(await page.locator('#grid .c.sel').count() === 2, `two cells selected (${set})`);
	await page.fill('#command', 'echo web-test-$((6*7)); uptime');
	await page.click('#actions button[data-action="command"]');
	await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
	check((await page.textContent('#confirm-dialog')).includes('2 nodes'), 'the confirmation counts 2 nodes');
	await page.locator('#confirm-dialog button.ok').click();
	await page.waitForFunction(() => document.querySelector('#results-panel').dataset.state === 'done', null, { timeout: 120000 });
	const rows = await page.$$eval('#results li', (lis) => lis.map((l) => [l.dataset.node, l.className]));
	check(rows.length === 2 && rows.every(([, c]) => c !== 'st-fail'), `a result line per node, none failed: ${JSON.stringify(rows)}`);
	// the output comes with the end of each run (an event), shown for the node clicked
	await page.click('#grid .c >> nth=0');
	await page.waitForFunction(() => /web-test-42/.test(document.querySelector('#detail').textContent), null, { timeout: 120000 });
	check(/load average/.test(await page.textContent('#detail')), 'the side panel shows the command\'s output');
	await shot(page, 'cluster-command');
});
