// nodeset.js - folds node names into ClusterShell node-set syntax
// (n1 n2 n3 n7 -> n[1-3,7]), so that a selection made by clicking goes to
// the server as one batch path.  Parsing node sets is the server's job:
// the page passes what the user typed into the batch path unchanged.

// Splits a name at its last run of digits: prefix, digits, suffix.
function split(name) {
	const m = /^(.*?)(\d+)(\D*)$/.exec(name);
	return m ? { pre: m[1], num: m[2], suf: m[3] } : null;
}

function ranges(nums, width) {
	const pad = (n) => String(n).padStart(width, '0');
	const out = [];
	let i = 0;
	while (i < nums.length) {
		let j = i;
		while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
		out.push(j > i ? `${pad(nums[i])}-${pad(nums[j])}` : pad(nums[i]));
		i = j + 1;
	}
	return out.join(',');
}

// ["n1","n2","n3","n7","x"] -> "n[1-3,7],x".  Names whose number has a
// leading zero keep their width (n01..n09 -> n[01-09]).
export function fold(names) {
	const groups = new Map();
	const plain = [];
	for (const name of new Set(names)) {
		const s = split(name);
		if (!s || /[[\],]/.test(name)) { plain.push(name); continue; }
		const width = s.num.length > 1 && s.num[0] === '0' ? s.num.length : 0;
		const key = `${s.pre}\u0000${s.suf}\u0000${width}`;
		if (!groups.has(key)) groups.set(key, { pre: s.pre, suf: s.suf, width, nums: [] });
		groups.get(key).nums.push(Number(s.num));
	}
	const parts = [];
	for (const g of groups.values()) {
		const nums = [...new Set(g.nums)].sort((a, b) => a - b);
		if (nums.length === 1) parts.push(g.pre + String(nums[0]).padStart(g.width, '0') + g.suf);
		else parts.push(`${g.pre}[${ranges(nums, g.width)}]${g.suf}`);
	}
	return [...parts.sort(), ...plain.sort()].join(',');
}
