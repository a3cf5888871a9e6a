// login.js - the log-in page: POST api/login, then back to the page that
// sent us here (only a page of this site: no open redirect).
import * as api from './api.js';

function nextPage() {
	const n = new URLSearchParams(location.search).get('next') || '';
	// a plain page name of ours, with its query and hash: nothing with a
	// scheme, a host or a path that leaves this directory
	return /^[a-z]+\.html([?#].*)?$/.test(n) ? n : 'tree.html';
}

const form = document.getElementById('login-form');
const err = document.getElementById('login-error');
const button = document.getElementById('login-button');

// already logged in: straight on
api.session().then((s) => { if (s) location.replace(nextPage()); }).catch(() => {});

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	err.classList.add('hidden');
	button.disabled = true;
	try {
		await api.login(form.user.value, form.password.value);
		location.replace(nextPage());
	} catch (e) {
		let msg;
		if (e.httpStatus === 401) msg = 'Wrong user name or password.';
		else if (e.httpStatus === 429) msg = 'Too many failed log-ins: try again ' + (e.retryAfter ? `in ${e.retryAfter} s.` : 'later.');
		else msg = `Log-in failed: ${e.message}`;
		err.textContent = msg;
		err.classList.remove('hidden');
		form.password.select();
	} finally {
		button.disabled = false;
	}
});
