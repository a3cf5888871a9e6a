// browse.mjs - the tree page: from the root down to a device's file by
// clicks, its value, .status colour and age; the breadcrumbs lead back.
//   BROWSE_DIR   a device directory to end in (default: the first of systems/bmcs)
//   BROWSE_FILE  a file in it to open (default: power)
import { test, newPage, login, check, shot } from './lib.mjs';

async function dirShown(page, path) {
	await page.waitForFunction((p) => document.body.dataset.view === 'dir' && !document.body.dataset.loading &&
		decodeURIComponent(location.hash.slice(1)) === p, path);
}

async function clickEntry(page, name) {
	await page.click(`#entries tr[data-name="${name}"] td.name a`);
}

test('browse: root, systems, a device, a file with its value, status colour and age; breadcrumbs back', async () => {
	const page = await newPage();
	await login(page, 'tree.html');
	await dirShown(page, '');
	const rootNames = await page.$$eval('#entries tbody tr', (trs) => trs.map((t) => t.dataset.name));
	for (const n of ['systems', 'services', 'discover_master']) check(rootNames.includes(n), `the root lists ${n}: ${rootNames}`);
	check(!rootNames.some((n) => n.endsWith('.status')), 'no .status entries are listed');

	await clickEntry(page, 'systems');
	await dirShown(page, 'systems');
	const want = process.env.BROWSE_DIR || '';
	const kind = want ? want.split('/')[1] : 'bmcs';
	await clickEntry(page, kind);
	await dirShown(page, `systems/${kind}`);
	const nodes = await page.$$eval('#entries tbody tr', (trs) => trs.map((t) => t.dataset.name));
	check(nodes.length > 0, `systems/${kind} lists devices`);
	const node = want ? want.split('/')[2] : nodes[0];
	await clickEntry(page, node);
	const dir = `systems/${kind}/${node}`;
	await dirShown(page, dir);
	const file = process.env.BROWSE_FILE || 'power';
	check(await page.locator(`#entries tr[data-name="${file}"]`).count() === 1, `${dir} has ${file}`);
	await shot(page, 'tree-dir');

	await clickEntry(page, file);
	await page.waitForFunction(() => document.body.dataset.view === 'file' && !document.body.dataset.loading);
	const content = (await page.textContent('#file-content')).trim();
	check(content.length > 0, `${file} shows a value`);
	const badge = page.locator('#file-status .badge');
	const cls = await badge.getAttribute('class');
	check(/st-ok|st-fail/.test(cls), `the status has a colour (${cls})`);
	check(/\d+ (s|min|h|d) ago/.test(await page.textContent('#file-age')), 'the age is shown');
	check(await page.isVisible('#write-box'), `${file} has a write box (writable)`);
	await shot(page, 'tree-file');

	// breadcrumbs: back to systems/<kind>
	await page.click(`#crumbs a[href="#systems/${kind}"]`);
	await dirShown(page, `systems/${kind}`);
	// the status colour of the file shows in its directory's listing too
	await page.goBack();
	await page.goBack();
	await dirShown(page, dir);
	const rowCls = await page.getAttribute(`#entries tr[data-name="${file}"]`, 'class');
	check(/st-ok|st-fail/.test(rowCls), `the listing colours ${file} by its .status (${rowCls})`);
});

test('browse: an unknown path says so', async () => {
	const page = await newPage();
	await login(page, 'tree.html#systems/no-such-thing');
	await page.locator('#error').waitFor({ state: 'visible' });
	const t = await page.textContent('#error');
	check(/no such|not found|errno 2/i.test(t), `the error says: ${t}`);
});
