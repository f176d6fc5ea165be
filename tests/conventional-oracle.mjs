// conventional-oracle.mjs DIR [PREFIX [PATH...]] <pairs: the version
// type=conventional should give, computed with conventional-recommended-bump
// and the conventionalcommits preset (preMajor below 1.0.0) and node's
// semver, for each "COMMIT TAG" line of stdin (TAG may be missing: no tag).
// One line out for each: the tag's version when no commit follows it, else
// inc(version, bump) + "-dev.<distance>", the distance as git describe
// counts it (`git rev-list --count TAG..COMMIT`, merges included), or with
// PATHs the commits that are not merges and touch them.  Run from a
// directory whose node_modules holds the two packages (t1210 installs them).
import { Bumper } from 'conventional-recommended-bump';
import semver from 'semver';
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';

const [dir, prefix = '', ...paths] = process.argv.slice(2);
for (const line of readFileSync(0, 'utf8').split('\n')) {
	if (!line.trim())
		continue;
	const [commit, tag = ''] = line.trim().split(/\s+/);
	const base = semver.parse(tag ? tag.slice(prefix.length) : '0.0.0');
	const range = tag ? `${tag}..${commit}` : commit;
	const bumper = new Bumper(dir).loadPreset({ name: 'conventionalcommits', preMajor: base.major === 0 })
		.tag(tag).commits(paths.length ? { to: commit, path: paths } : { to: commit });
	const r = await bumper.bump();
	const args = paths.length ? ['--no-merges', range, '--', ...paths] : [range];
	const n = Number(execFileSync('git', ['-C', dir, 'rev-list', '--count', ...args]));
	console.log(n === 0 ? base.version : `${semver.inc(base.version, r.releaseType)}-dev.${n}`);
}
