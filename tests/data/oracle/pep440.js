// Prints tests/data/pep440.cases: @renovate/pep440's verdict on each input.
const pep440 = require('@renovate/pep440');
const inputs = [
  // PEP 440 normalisation examples and renovate's own test table
  '1.0', '1.0.0', '1', '1.2.3.4.5', '1!1.0', '0!1.0', '00!1.0', '2012.10', 'v1.0', 'V1.0',
  '1.0a1', '1.0A1', '1.0alpha1', '1.0ALPHA1', '1.0b2', '1.0beta2', '1.0c1', '1.0rc1', '1.0pre1',
  '1.0preview1', '1.0PREVIEW1', '1.0.a1', '1.0-a1', '1.0_a1', '1.0a.1', '1.0a-1', '1.0a_1',
  '1.0-a-1', '1.0a', '1.0rc', '1.0.post1', '1.0post1', '1.0-post1', '1.0_post1', '1.0.post',
  '1.0post', '1.0.post.1', '1.0-post-1', '1.0rev1', '1.0r1', '1.0-r1', '1.0.r', '1.0-1', '1.0-0',
  '1.0.dev1', '1.0dev1', '1.0-dev1', '1.0_dev1', '1.0.dev', '1.0dev', '1.0-dev-1', '1.0DEV1',
  '1.0a1.post2.dev3', '1.0a1-post2-dev3', '1.0a1-2.dev3', '1.0rc1.dev0', '1.0.post1.dev1',
  '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0+ubuntu-1', '1.0+ubuntu_1', '1.0+ubuntu.1', '1.0+Ubuntu-1',
  '1.0+abc.1.Twelve', '1.0+007', '1.0+1e5', '1.0+1E5', '1.0+0x1f', '1.0+0X1F', '1.0+0b101',
  '1.0+0o17', '1.0+0x', '1.0+0xg', '1.0+Infinity', '1.0+infinity', '1.0+1e', '1.0+e5', '1.0+1e400',
  '1.0+a..b', '1.0+', '1.0+-a', '1.0+a-', '1.0+a+b', '1!2.0.post', '1.0.0a', '00.01.002',
  '01.02.03', '007', '0.0', '12345678901234567890123.1', '9007199254740993.0',
  '12345678901234567890.1', '1.0rc1+local.1', '1.0.post1+local', '1.0.dev1+local',
  '2.0.0', '2.0.0rc1', '2.0.0b1', '2.0.0a1', '2.0.0.post1', '2.0.0.dev1', '10.20.30.40',
  ' 1.0 ', '\t1.0\n', '\u00a01.0', '1.0\n', '', ' ', 'v', 'vv1.0', '1.0.', '.1.0', '1..0',
  '1.0a1a2', '1.0gamma1', '1.0-', '1.0_', '1.0.', '1.0.post1.post2', '1.0dev1.a1', 'a1.0',
  '1.0-alpha', '1.0 alpha', '1!', '!1.0', '1!2!3', 'v1!2.0', '1.0 ', 'foo', '1.0.0-rc.1',
  '1.0.0-beta.2', '1.0.0.RC1', '1.0.0-SNAPSHOT', '1.0-1-1', '1.0-r', '1.0post-1', '1.0.post-1',
  '1.0.pre', '1.0c', '1.0.0a0', '1.0.0b0.post0.dev0', '4.0.0rc1+cu118',
];
function show(x) { return x === null || x === undefined ? 'null' : JSON.stringify(String(x)); }
for (const v of inputs) {
  console.log('### pep440 ' + JSON.stringify(v));
  console.log('in: ' + JSON.stringify(v));
  const ok = pep440.valid(v);
  console.log('valid: ' + (ok ? 'yes' : 'no'));
  console.log('clean: ' + show(pep440.clean(v)));
  if (ok) {
    const e = pep440.explain(v);
    console.log('public: ' + show(e.public));
    console.log('base_version: ' + show(e.base_version));
    console.log('local: ' + show(e.local));
    console.log('major: ' + show(pep440.major(v)));
    console.log('minor: ' + show(pep440.minor(v)));
    console.log('patch: ' + show(pep440.patch(v)));
    console.log('is_prerelease: ' + (e.is_prerelease ? 'yes' : 'no'));
    console.log('is_postrelease: ' + (e.is_postrelease ? 'yes' : 'no'));
    console.log('is_devrelease: ' + (e.is_devrelease ? 'yes' : 'no'));
  }
  console.log('');
}
