// run.mjs - runs the browser tests: node run.mjs [NAME-PART ...]
// (see lib.mjs for the environment).
import { run } from './lib.mjs';
import './login.mjs';
import './browse.mjs';
import './power.mjs';
import './nfs.mjs';

const ok = await run(process.argv.slice(2));
process.exit(ok ? 0 : 1);
