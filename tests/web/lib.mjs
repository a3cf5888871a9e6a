// lib.mjs - what the browser tests share: Debian's Chromium driven by
// playwright-core (no browser download), the log-in, screenshots, a tiny
// runner that prints "ok - NAME" / "not ok - NAME" / "ok - NAME # SKIP
// why" and a closing "N passed, M failed, K skipped" line.
//
// Environment:
//   BASE_URL   the sysman-web address, e.g. http://127.0.0.1:8089/ (required)
//   USER (or WEB_USER, which wins), PASSWORD   a test user (required)
//   SHOT_DIR   where the screenshots go (none are kept when unset)
//   CHROMIUM   the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const env = {
	base: (process.env.BASE_URL || '').replace(/\/*$/, '/'),
	user: process.env.WEB_USER || process.env.USER || '',
	password: process.env.PASSWORD || '',
	shots: process.env.SHOT_DIR || '',
	chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

export function need(name) {
	const v = process.env[name];
	if (!v) throw new Error(`${name} is not set`);
	return v;
}

export class Failure extends Error {}
export class Skip extends Error {}

export function check(cond, msg) {
	if (!cond) throw new Failure(msg);
}

let browserP = null;
export function browser() {
	if (!browserP) {
		browserP = chromium.launch({
			executablePath: env.chromium,
			chromiumSandbox: false,          // the tests run as root
			args: ['--disable-dev-shm-usage', '--disable-gpu'],
		});
	}
	return browserP;
}

// A fresh context (its own cookies) and page; uncaught errors of the page
// are collected in page.errors and fail the test that made the page.
const openPages = [];
export async function newPage({ width = 1280, height = 860 } = {}) {
	const b = await browser();
	const ctx = await b.newContext({ baseURL: env.base, viewport: { width, height } });
	const page = await ctx.newPage();
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(String(e && e.stack || e)));
	page.on('console', (m) => {
		if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push('console: ' + m.text());
	});
	page.setDefaultTimeout(Number(process.env.WEB_TEST_TIMEOUT_MS || 30000));
	openPages.push(page);
	return page;
}

// Another page in the same browser context (the same session).
export async function samePage(page) {
	const p = await page.context().newPage();
	p.errors = page.errors;
	p.on('pageerror', (e) => p.errors.push(String(e && e.stack || e)));
	p.setDefaultTimeout(Number(process.env.WEB_TEST_TIMEOUT_MS || 30000));
	return p;
}

export async function login(page, next = '') {
	await page.goto('login.html' + (next ? '?next=' + encodeURIComponent(next) : ''));
	await page.fill('#user', env.user);
	await page.fill('#password', env.password);
	await Promise.all([
		page.waitForURL((u) => !u.pathname.endsWith('/login.html')),
		page.click('#login-button'),
	]);
	await page.waitForFunction(() => document.body.dataset.user);
}

export async function shot(page, name) {
	if (!env.shots) return;
	fs.mkdirSync(env.shots, { recursive: true });
	await page.screenshot({ path: path.join(env.shots, name + '.png') });
}

// ------------------------------------------------------------ runner
const tests = [];
export function test(name, fn) { tests.push({ name, fn }); }

export async function run(filter = []) {
	if (!env.base || !env.user || !env.password) {
		console.error('BASE_URL, USER and PASSWORD must be set');
		process.exit(2);
	}
	let passed = 0, failed = 0, skipped = 0;
	const chosen = tests.filter((t) => !filter.length || filter.some((f) => t.name.includes(f)));
	for (const t of chosen) {
		const t0 = Date.now();
		try {
			await t.fn();
			const errs = openPages.flatMap((p) => p.errors);
			if (errs.length) throw new Failure('errors in the page:\n  ' + errs.join('\n  '));
			passed++;
			console.log(`ok - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
		} catch (e) {
			if (e instanceof Skip) {
				skipped++;
				console.log(`ok - ${t.name} # SKIP ${e.message}`);
				continue;
			}
			failed++;
			console.log(`not ok - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
			console.log('  ' + String(e && (e instanceof Failure ? e.message : e.stack) || e).split('\n').join('\n  '));
			for (const p of openPages) {
				if (env.shots && !p.isClosed()) {
					const safe = t.name.replace(/[^a-z0-9]+/gi, '-');
					await p.screenshot({ path: path.join(env.shots, `FAILED-${safe}-${openPages.indexOf(p)}.png`) }).catch(() => {});
				}
			}
		} finally {
			for (const p of openPages.splice(0)) await p.context().close().catch(() => {});
		}
	}
	if (browserP) await (await browserP).close();
	console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
	return failed === 0;
}
