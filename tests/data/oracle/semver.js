// Prints tests/data/semver.cases: node-semver's verdict on each input.
const semver = require('semver');
const hb = require('handlebars');
const inputs = [
  '1.2.3', 'v1.2.3', '0.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7',
  '1.0.0-x.7.z.92', '1.0.0-alpha+001', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85',
  '1.0.0+21AF26D3----117B344092BD', '1.2.3-rc.1+b.2', ' v1.2.3-rc.1+b.2 ', '\t1.2.3\n',
  '\u00a01.2.3\u3000', '\ufeff1.2.3', '=1.2.3', 'v=1.2.3', 'vv1.2.3', 'V1.2.3', ' 1.2.3 x',
  '1.2', '1', '1.2.3.4', '01.2.3', '1.02.3', '1.2.03', '1.2.3-01', '1.2.3-00', '1.2.3-0',
  '1.2.3-0a', '1.2.3-01a', '1.2.3-a.01', '1.2.3-a..b', '1.2.3-', '1.2.3+', '1.2.3+a..b',
  '1.2.3+01', '1.2.3-+b', '1.2.3--', '1.2.3---a', '1.2.3-a-b', '1.2.3_4', '1.2.3 -rc',
  '1.2.3-rc 1', '1.2.3-ß', '1.2.3+ß', 'a.b.c', '1.2.c', '', ' ', 'v', '-1.2.3', '+1.2.3',
  '9007199254740991.0.0', '9007199254740992.0.0', '0.9007199254740991.0', '0.0.9007199254740992',
  '99999999999999999999.0.0', '1.2.3-9007199254740991', '1.2.3-9007199254740992',
  '1.2.3-99999999999999999999999', '10.20.30', '1.1.2-prerelease+meta', '1.1.2+meta',
  '1.1.2+meta-valid', '1.0.0-alpha.beta', '1.0.0-alpha.beta.1', '1.0.0-alpha0.valid',
  '1.0.0-alpha.0valid', '1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay',
  '1.0.0-rc.1+build.1', '2.0.0-rc.1+build.123', '1.2.3-beta', '10.2.3-DEV-SNAPSHOT',
  '1.2.3-SNAPSHOT-123', '2.0.0+build.1848', '2.0.1-alpha.1227', '1.0.0-alpha+beta',
  '1.2.3----RC-SNAPSHOT.12.9.1--.12+788', '1.2.3----R-S.12.9.1--.12+meta',
  '1.2.3----RC-SNAPSHOT.12.9.1--.12', '1.0.0+0.build.1-rc.10000aaa-kk-0.1',
  '1.0.0-0A.is.legal', '1.2.3.DEV', '1.2-SNAPSHOT', '1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788',
  '1.2-RC-SNAPSHOT', '-1.0.3-gamma+b7718', '+justmeta', '9.8.7+meta+meta', '9.8.7-whatever+meta+meta',
  '1.0.0-alpha_beta', '1.0.0-alpha..', '1.0.0-alpha..1', '1.0.0-alpha...1', '01.1.1', '1.01.1',
  '1.1.01', '1.2.3.DEV', '1.2-SNAPSHOT', 'v1.2.3-rc.1', 'v 1.2.3', 'v1.2.3\u2028',
  '1.2.3-' + 'a'.repeat(250), '1.2.3-' + 'a'.repeat(251), ' '.repeat(251) + '1.2.3',
  ' '.repeat(250) + '1.2.3', '1.2.3+' + 'b'.repeat(250),
];
const fields = ['version', 'major', 'minor', 'patch', 'raw', 'prerelease', 'build'];
for (const v of inputs) {
  console.log('### semver ' + JSON.stringify(v));
  console.log('in: ' + JSON.stringify(v));
  const ok = semver.valid(v);
  console.log('valid: ' + (ok ? 'yes' : 'no'));
  if (ok) {
    const p = semver.parse(v, {loose: true});
    for (const f of fields) {
      // triple-stash: the unescaped text of the field
      console.log(f + ': ' + JSON.stringify(hb.compile('{{{' + f + '}}}')(p)));
    }
    console.log('is_prerelease: ' + (semver.prerelease(v) ? 'yes' : 'no'));
  }
  const c = semver.clean(v);
  console.log('clean: ' + (c === null ? 'null' : JSON.stringify(c)));
  console.log('');
}
