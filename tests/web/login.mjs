// login.mjs - the log-in page: a wrong password is refused on the page,
// a page asked for before logging in comes back after it, log-out ends
// the session.
import { test, newPage, env, check, shot } from './lib.mjs';

test('log-in: a page needs a session, a wrong password is refused, the right one lands on the page asked for', async () => {
	const page = await newPage();
	await page.goto('cluster.html');
	await page.waitForURL(/login\.html\?next=cluster\.html/);
	await shot(page, 'login');

	await page.fill('#user', env.user);
	await page.fill('#password', env.password + '-wrong');
	await page.click('#login-button');
	const err = page.locator('#login-error');
	await err.waitFor({ state: 'visible' });
	const text = await err.textContent();
	check(/wrong user name or password|too many/i.test(text), `the refusal says: ${text}`);
	check(page.url().includes('login.html'), 'still on the log-in page after a wrong password');
	await shot(page, 'login-refused');

	await page.fill('#password', env.password);
	await Promise.all([page.waitForURL(/cluster\.html/), page.click('#login-button')]);
	await page.waitForFunction(() => document.body.dataset.user);
	check((await page.textContent('#who')) === env.user, 'the header names the user');

	// the session cookie is not readable by the page
	const cookies = await page.context().cookies();
	const c = cookies.find((x) => x.name === 'sysman_session');
	check(c && c.httpOnly && c.sameSite === 'Strict', `sysman_session is HttpOnly, SameSite=Strict: ${JSON.stringify(c)}`);
	check(!(await page.evaluate(() => document.cookie)).includes('sysman_session'), 'document.cookie does not show the session');

	await Promise.all([page.waitForURL(/login\.html/), page.click('#logout')]);
	await page.goto('tree.html');
	await page.waitForURL(/login\.html/);
});
