// nfs.mjs - the NFS page: the plan editor shows the check's findings at
// their lines (a warning of a stored plan; the error of a refused one, the
// stored plan left as it was); the generated files per host; deploy with
// its progress; observed state and diagnosis; topology and report.
//   NFS_PLAN   a file with the site's plan (default: a small plan of hosts
//              that need not exist; deploy then reports them unreachable)
//   NFS_SITE   "1" when the plan's hosts are live devices: deploy must
//              then leave every host deployed or unchanged
//   NFS_DOWN   a "host daemon" whose daemon was stopped after the deploy
//              (e.g. "srv1 nfs-ganesha"): the diagnosis must show it as
//              daemon-down, and Apply must restart it (else that test skips)
import fs from 'node:fs';
import { test, newPage, login, check, shot, Skip } from './lib.mjs';

const DEFAULT_PLAN = `# a plan made by the browser test
host wsrv address=127.0.99.1 platform=ganesha
host wcli address=127.0.99.2 platform=linux
export wsrv:/srv/home wcli(rw)
import wcli:/home wsrv:/srv/home rw
`;
const basePlan = (process.env.NFS_PLAN ? fs.readFileSync(process.env.NFS_PLAN, 'utf8') : DEFAULT_PLAN).replace(/\n*$/, '\n');
const site = process.env.NFS_SITE === '1';

function firstHosts(plan) {
	const servers = [], clients = [];
	for (const l of plan.split('\n')) {
		let m = /^export\s+([^:\s]+):/.exec(l);
		if (m && !servers.includes(m[1])) servers.push(m[1]);
		m = /^import\s+([^:\s]+):/.exec(l);
		if (m && !clients.includes(m[1])) clients.push(m[1]);
	}
	return { server: servers[0], client: clients[0] };
}

async function setPlan(page, text) {
	await page.fill('#plan-text', text);
	await page.click('#plan-save');
	await page.waitForFunction(() => ['stored', 'refused', 'error'].includes(document.querySelector('#plan-result').dataset.state), null, { timeout: 60000 });
	return page.getAttribute('#plan-result', 'data-state');
}

async function findingAt(page, line) {
	return page.$$eval(`#backdrop .pl[data-line="${line}"] .finding`, (fs) => fs.map((f) => f.textContent));
}

test('nfs plan: a finding at its line (stored plan: warning; refused plan: error, the stored plan kept)', async () => {
	const page = await newPage({ width: 1280, height: 900 });
	await login(page, 'nfs.html#plan');
	await page.waitForFunction(() => document.body.dataset.tab === 'plan' && document.querySelector('#plan-result').dataset.state);
	const { server, client } = firstHosts(basePlan);
	check(server && client, 'the plan has an export and an import');

	// an export nobody imports: stored, with a warning at its line
	const unused = basePlan + `export ${server}:/srv/web-test-unused ${client}(ro)\n`;
	const unusedLine = unused.split('\n').length - 1;
	check(await setPlan(page, unused) === 'stored', `the plan with an unused export is stored: ${await page.textContent('#plan-result')}`);
	let at = await findingAt(page, unusedLine);
	check(at.some((t) => /warning unused-export/.test(t)), `line ${unusedLine} shows the unused-export warning: ${JSON.stringify(at)}`);
	check(await page.getAttribute(`#gutter div:nth-child(${unusedLine})`, 'class') === 'warning', 'the gutter marks the line');
	check(await page.locator(`#findings li[data-line="${unusedLine}"]`).count() === 1, 'the list of findings names the line');
	await shot(page, 'nfs-plan');

	// a rw import of a ro export: refused; the error at its line, the text kept
	const bad = unused + `import ${client}:/mnt/web-test ${server}:/srv/web-test-unused rw\n`;
	const badLine = bad.split('\n').length - 1;
	check(await setPlan(page, bad) === 'refused', 'the plan with an error is refused');
	at = await findingAt(page, badLine);
	check(at.some((t) => /error rw-on-ro/.test(t)), `line ${badLine} shows the rw-on-ro error: ${JSON.stringify(at)}`);
	check(await page.inputValue('#plan-text') === bad, 'the editor keeps the refused text');
	await shot(page, 'nfs-plan-refused');
	// the stored plan is the one before
	await page.click('#plan-revert');
	await page.waitForFunction((t) => document.querySelector('#plan-text').value === t, unused);

	// the site's plan, clean, for the deploy test
	check(await setPlan(page, basePlan) === 'stored', 'the base plan is stored');
	check(await page.locator('#findings li.error').count() === 0, 'the base plan has no error');
});

test('nfs generated: the files of each host', async () => {
	const page = await newPage();
	await login(page, 'nfs.html#generated');
	await page.waitForSelector('#gen-hosts button');
	const hosts = await page.$$eval('#gen-hosts button', (bs) => bs.map((b) => b.dataset.host));
	const { server } = firstHosts(basePlan);
	check(hosts.includes(server), `generated/ has ${server}: ${hosts}`);
	await page.click(`#gen-hosts button[data-host="${server}"]`);
	await page.waitForSelector(`#gen-files[data-host="${server}"] .gen-file`);
	const text = await page.textContent('#gen-files');
	check(/generated from the NFS plan/.test(text), 'a generated file is shown');
	await shot(page, 'nfs-generated');
});

test('nfs deploy: dry run, then deploy now with its progress, every host in its final state', async () => {
	const page = await newPage({ width: 1280, height: 900 });
	await login(page, 'nfs.html#deploy');
	await page.waitForFunction(() => document.body.dataset.tab === 'deploy');
	await page.waitForSelector('#deploy-table tbody tr');

	await page.click('#deploy-dry');
	await page.waitForFunction(() => document.querySelector('#deploy-result').dataset.state !== 'running' &&
		document.querySelector('#deploy-result').dataset.state, null, { timeout: 120000 });
	await page.waitForFunction(() => /^deployment \d+ dry-run /.test(document.querySelector('#deploy-head').textContent));
	const dry = await page.$$eval('#deploy-table tbody tr', (trs) => trs.map((t) => [t.dataset.host, t.dataset.state]));
	console.log(`  # dry run: ${JSON.stringify(dry)}`);
	check(dry.length > 0 && dry.every(([, s]) => ['would-change', 'unchanged', 'failed'].includes(s)), 'the dry run has a row per host');
	await shot(page, 'nfs-deploy-dry-run');

	// record every state the rows go through, and the activity lines
	await page.evaluate(() => {
		window.seen = [];
		new MutationObserver(() => {
			for (const tr of document.querySelectorAll('#deploy-table tbody tr')) {
				const s = `${tr.dataset.host} ${tr.dataset.state} ${tr.children[2].textContent.trim()}`;
				if (!window.seen.includes(s)) window.seen.push(s);
			}
		}).observe(document.querySelector('#deploy-table tbody'), { childList: true, subtree: true, characterData: true });
	});
	await page.click('#deploy-now');
	await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
	await page.locator('#confirm-dialog button.ok').click();
	await page.waitForFunction(() => document.body.dataset.deploy === 'running');
	await shot(page, 'nfs-deploy-running');
	// a picture of a host being worked on, when we are quick enough to see one
	await page.waitForSelector('#deploy-table tr[data-state="working"]', { timeout: 20000 })
		.then(() => shot(page, 'nfs-deploy-progress'), () => {});
	await page.waitForFunction(() => document.body.dataset.deploy === 'done', null, { timeout: 300000 });
	await page.waitForFunction(() => /^deployment \d+ now /.test(document.querySelector('#deploy-head').textContent), null, { timeout: 60000 });
	const head = await page.textContent('#deploy-head');
	const rows = await page.$$eval('#deploy-table tbody tr', (trs) => trs.map((t) => [t.dataset.host, t.dataset.state]));
	const seen = await page.evaluate(() => window.seen);
	console.log(`  # ${head}; rows ${JSON.stringify(rows)}`);
	console.log(`  # seen while it ran: ${JSON.stringify(seen)}`);
	const finals = ['deployed', 'unchanged', 'rolled-back', 'failed', 'skipped'];
	check(rows.length > 0 && rows.every(([, s]) => finals.includes(s)), 'every host has a final state');
	if (site) {
		check(/ done$/.test(head.trim()), `the deployment is done: ${head}`);
		check(rows.every(([, s]) => s === 'deployed' || s === 'unchanged'), 'every host is deployed or unchanged');
		check(seen.some((s) => /waiting/.test(s)) && seen.some((s) => /working (writing|running|reading) /.test(s)),
			'progress was shown while the deployment ran (hosts waiting, then the runner at work on them)');
	}
	await shot(page, 'nfs-deploy');
});

test('nfs observed, diagnosis, topology and report are shown', async () => {
	const page = await newPage({ width: 1280, height: 900 });
	await login(page, 'nfs.html#monitor');
	await page.waitForFunction(() => document.querySelector('#tab-monitor').dataset.findings !== undefined, null, { timeout: 120000 });
	const hosts = await page.$$eval('#observed details.host', (ds) => ds.map((d) => d.dataset.host));
	check(hosts.length > 0, 'observed/ lists the plan hosts');
	await page.click(`#observed details.host[data-host="${hosts[0]}"] summary`);
	await page.waitForFunction((h) => document.querySelector(`details.host[data-host="${h}"]`).dataset.loaded, hosts[0], { timeout: 120000 });
	await shot(page, 'nfs-monitor');

	await page.click('#tabs a[data-tab="topology"]');
	await page.waitForFunction(() => document.querySelector('#topology svg') || document.querySelector('#topology .error-box'), null, { timeout: 60000 });
	const svg = await page.locator('#topology svg').count();
	check(svg === 1 || !site, 'the topology graph is drawn');
	check((await page.textContent('#report')).includes('server '), 'the report has a line per server');
	await shot(page, 'nfs-topology');
});

test('nfs apply: a daemon-down finding applied from the page goes away', async () => {
	const down = process.env.NFS_DOWN;
	if (!down) throw new Skip('NFS_DOWN is not set (no daemon was stopped)');
	const page = await newPage({ width: 1280, height: 900 });
	await login(page, 'nfs.html#monitor');
	const row = `#diag-table tr[data-rule="daemon-down"]`;
	await page.waitForSelector(row, { timeout: 120000 });
	const subject = await page.textContent(`${row} td:nth-child(3)`);
	check(subject.trim() === down, `the finding names ${down}: ${subject}`);
	await shot(page, 'nfs-diagnosis');
	await page.click(`${row} button[data-apply]`);
	await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
	await page.locator('#confirm-dialog button.ok').click();
	await page.waitForFunction(() => document.querySelector('#diag-result').dataset.rc !== undefined, null, { timeout: 120000 });
	const rc = await page.getAttribute('#diag-result', 'data-rc');
	check(rc === '0', `apply returned rc 0: ${await page.textContent('#diag-result')}`);
	// the diagnosis read after the apply; once more if the daemon was slow
	for (let i = 0; i < 2; i++) {
		await page.waitForFunction(() => /finding/.test(document.querySelector('#diag-result').textContent), null, { timeout: 120000 });
		if (await page.locator(row).count() === 0) break;
		await page.click('#diag-reload');
		await page.waitForFunction(() => document.querySelector('#diag-result .spinner') === null, null, { timeout: 120000 });
	}
	check(await page.locator(row).count() === 0, 'no daemon-down finding is left');
	await shot(page, 'nfs-diagnosis-applied');
});
