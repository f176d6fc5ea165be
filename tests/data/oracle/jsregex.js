// Prints tests/data/jsregex.cases: what V8's RegExp gives for
// subject.match(new RegExp(pattern, flags)).  Modifier groups ((?i:...),
// Node 24) are tested in test-jsregex.c, since node 20 lacks them; C
// strings hold no NUL, so \0 is tested there too.
const cases = [
  // metadata-action documentation and common tag patterns
  ['\\d.\\d.\\d', '', ['v1.2.3', 'release-1.2.3-rc', 'none']],
  ['v(.*)', '', ['v1.2.3', 'x', 'release-v2']],
  ['^v(\\d+)\\.(\\d+)\\.(\\d+)$', '', ['v1.2.3', 'v1.2.3\n', 'v1.2', 'v10.20.30']],
  ['^v(\\d+)\\.(\\d+)(?:\\.(\\d+))?$', '', ['v1.2.3', 'v1.2']],
  ['(.*)-rc(.*)', '', ['1.2.3-rc4', '1.2.3']],
  ['^(?<name>[a-z]+)-(?<ver>\\d+(\\.\\d+)*)$', '', ['app-1.2.3', 'app-1', 'App-1']],
  ['(?:(a)|b)+', '', ['ab', 'b', 'ba']],
  ['(a)|(b)', '', ['b', 'a']],
  ['(a)?b', '', ['b', 'ab']],
  ['(a*)*b', '', ['aab']],
  ['^$', '', ['', 'a', '\n']],
  ['$', '', ['abc\n']],
  ['a$', '', ['a\n', 'a']],
  ['^b', 'm', ['a\nb', 'a\rb', 'a\u2028b', 'ab']],
  ['a$', 'm', ['a\nb', 'a\r\nb', 'ab']],
  ['a.b', '', ['a\nb', 'a\rb', 'a\u2028b', 'a\u0085b', 'a\tb', 'axb', 'a\u00e9b']],
  ['a.b', 's', ['a\nb', 'a\u2028b']],
  ['\\s+', 'g', ['a \t\u00a0\ufeff\u2028b\u0085c\u180ed', 'none']],
  ['[\\S]+', 'g', ['ab cd\u00a0ef']],
  ['[^\\S]+', 'g', ['ab \t cd']],
  ['[a\\S]', 'g', [' a b ']],
  ['[^a\\S]', 'g', [' a b\t']],
  ['[\\s\\S]', 'g', ['a b']],
  ['\\w+', 'g', ['abc_1 d\u00e9f']],
  ['\\bfoo\\b', '', ['a foo b', 'afoo']],
  ['\\d+', 'g', ['a1b22c333', '\u0661\u0662']],
  ['[]', '', ['a', '']],
  ['[^]', '', ['\n', '']],
  ['a[]b', '', ['ab']],
  ['[]a]', '', ['a]', 'a']],
  ['[[:alpha:]]', '', [':]', 'a', 'b]']],
  ['[a-]', 'g', ['-a']],
  ['[-a]', 'g', ['-a']],
  ['[\\d-z]+', '', ['1-z']],
  ['[a-b-c]+', '', ['ab-c']],
  ['[--0]+', '', ['-./0']],
  ['\\x41\\u0042\\x4', '', ['ABx4']],
  ['\\u{41}', '', ['u'.repeat(41), 'A']],
  ['\\u{41}', 'u', ['A']],
  ['\\ud83d\\ude00', '', ['\ud83d\ude00']],
  ['\\cJ', '', ['\n']],
  ['\\c1', '', ['\\c1']],
  ['[\\c1]', '', ['\u0011']],
  ['[\\c_]', '', ['\u001f']],
  ['\\1(a)', '', ['a']],
  ['(a)\\1', '', ['aa', 'a']],
  ['(a)\\2', '', ['a\u0002']],
  ['\\8', '', ['8']],
  ['\\18', '', ['\u00018']],
  ['\\377', '', ['\u00ff']],
  ['\\400', '', ['\u00200']],
  ['[\\1]', '', ['\u0001']],
  ['\\a\\e\\z\\A\\Z\\G\\h\\R\\X\\K\\Q\\E\\N\\g\\o\\l\\L\\U', '', ['aezAZGhRXKQENgolLU']],
  ['\\k', '', ['k']],
  ['\\k<x>(?<x>a)', '', ['a']],
  ['(?<x>a)\\k<x>', '', ['aa']],
  ['\\p{L}', '', ['p{L}', 'a']],
  ['\\p{L}+', 'u', ['\u00e9t\u00e9!']],
  ['\\p{Lu}', 'u', ['aB']],
  ['\\p{Letter}+', 'u', ['ab1']],
  ['\\p{Script=Greek}+', 'u', ['abc\u03b1\u03b2']],
  ['\\P{L}+', 'u', ['ab12']],
  ['a{', '', ['a{']],
  ['a{1', '', ['a{1']],
  ['a{,2}', '', ['a{,2}']],
  ['a{2}', '', ['aaa']],
  ['a{2,}', '', ['aaaa']],
  ['a{1,2}?', '', ['aaa']],
  ['x{1}{', '', ['x{']],
  ['}', '', ['}']],
  [']', '', [']']],
  ['a|', '', ['b']],
  ['(?=a)*a', '', ['a']],
  ['(?:)', '', ['x']],
  ['(?!a)\\w', '', ['ab']],
  ['(?<=a)b', '', ['ab', 'cb']],
  ['(?<!a)b', '', ['ab', 'cb']],
  ['(?<=\\$)\\d+', '', ['cost $42']],
  ['ABC', 'i', ['abc', 'aBc']],
  ['[a-z]+', 'i', ['ABC']],
  ['\u00e9', 'i', ['\u00c9']],
  ['a', 'g', ['banana', 'xyz']],
  ['', 'g', ['abc']],
  ['a*', 'g', ['baaac']],
  ['(a)(b)?', 'g', ['aba']],
  ['a', 'y', ['ab', 'ba']],
  ['a', 'gy', ['aab', 'aba']],
  ['\\u00e9', '', ['caf\u00e9']],
  ['.', 'g', ['\u00e9\u4e2d']],
  ['f.o', 'u', ['f\u00e9o']],
  ['x(\\d+)', '', ['\u00e9\u00e9x12']],
  ['[\u00e0-\u00ff]+', '', ['abc\u00e9\u00e8']],
  ['\\/', '', ['a/b']],
  ['\\-', '', ['-']],
  ['\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$', '', ['.*+?()[]{}|^$']],
  ['[\\b]', '', ['\b']],
  ['[\\-]', '', ['-']],
  ['[\\B]', '', ['B']],
  ['\\t\\n\\v\\f\\r', '', ['\t\n\u000b\f\r']],
  ['\\v', '', ['\n']],
  ['^\\s*$', '', ['  \t ']],
  ['(\\d+)-(\\d+)?', '', ['12-']],
  ['((a)|(b))+', '', ['ab']],
  ['(z)((a+)?(b+)?(c))*', '', ['zaacbbbcac']],
  ['(?:a|b)*?c', '', ['abc']],
  ['(.)\\1+', 'g', ['aabbbc']],
  ['^(?:v)?(\\d+\\.\\d+\\.\\d+)(?:-(.+))?$', '', ['v1.2.3-beta.1', '1.2.3']],
  ['sha-([0-9a-f]{7})', '', ['sha-abcdef0123']],
  ['^refs/tags/(.*)$', '', ['refs/tags/v1.0']],
  ['\\d+(?=%)', '', ['50% off']],
  // syntax errors
  ['(', '', ['a']], [')', '', ['a']], ['[', '', ['a']], ['*', '', ['a']], ['a**', '', ['a']],
  ['a{2,1}', '', ['a']], ['(?i)a', '', ['a']], ['(?>a)', '', ['a']], ['(?|a)', '', ['a']],
  ['(?#c)a', '', ['a']], ['(?P<n>a)', '', ['a']], ['(?<1a>x)', '', ['x']], ['(?<a>x)(?<a>y)', '', ['xy']],
  ['\\', '', ['a']], ['a\\', '', ['a']], ['[z-a]', '', ['a']], ['^*', '', ['a']], ['\\b+', '', ['a']],
  ['(?<=a)+', '', ['a']], ['a{1}{2}', '', ['a']], ['\\k<nope>(?<x>a)', '', ['a']],
  ['\\u{110000}', 'u', ['a']], ['\\a', 'u', ['a']], ['{', 'u', ['{']], [']', 'u', [']']],
  ['\\1', 'u', ['a']], ['[\\d-z]', 'u', ['a']], ['\\c1', 'u', ['a']],
  ['a', 'gg', ['a']], ['a', 'x', ['a']], ['a', 'uv', ['a']], ['a', 'G', ['a']],
  ['a', 'dgimsuy', ['A']],
];
// Seeded random patterns from JS-significant pieces, to catch what the
// hand-picked cases miss: 250 that match, 75 that do not, 75 errors.
{
  const atoms = ['a','b','.','\\d','\\w','\\s','\\S','\\b','\\B','^','$','[ab]','[^a]','[a-c]',
    '[\\s\\S]','[\\S]','[^\\S]','(a)','(?:b)','(?=a)','(?!b)','(?<=a)','(?<!b)','\\1','\\2','a*','b+',
    'a?','a{2}','a{1,2}','{','}',']','|','(',')','\\x41','\\u0061','\\cA','\\8','\\12','\\k',
    '[\\b]','[\\d-]','[-\\w]','\\-','\\/','\\n','\\t','\u00e9','\\p','x','1','-',',','*','+','?',
    '[',']','[]','[^]','(?<n>a)','\\k<n>','a*?','\\v','\\.','\\$'];
  const flagsList = ['', '', '', 'g', 'i', 'm', 's', 'y', 'gi', 'u', 'gu', 'ms'];
  const subjects = ['', 'a', 'ab', 'aab', 'ba', 'abc', 'a b', 'A', 'a\nb', '\t', 'aa\nbb', 'abab',
    '1a2', 'x-y', '\u00e9a', 'a/b', 'A1', ' \u00a0 '];
  let seed = 7;
  const rnd = n => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const want = {match: 250, null: 75, error: 75};
  while (want.match + want.null + want.error > 0) {
    let p = '';
    const len = 1 + rnd(5);
    for (let j = 0; j < len; j++) p += atoms[rnd(atoms.length)];
    const f = flagsList[rnd(flagsList.length)];
    const subj = subjects[rnd(subjects.length)];
    let kind;
    try { kind = subj.match(new RegExp(p, f)) ? 'match' : 'null'; } catch (e) { kind = 'error'; }
    if (want[kind] > 0) {
      want[kind]--;
      cases.push([p, f, [subj]]);
    }
  }
}
function show(v) { return v === undefined ? 'undefined' : JSON.stringify(v); }
for (const [re, flags, subjects] of cases) {
  for (const s of subjects) {
    console.log('### /' + re + '/' + flags + ' on ' + JSON.stringify(s));
    console.log('re: ' + JSON.stringify(re));
    console.log('flags: ' + JSON.stringify(flags));
    console.log('in: ' + JSON.stringify(s));
    let r;
    try { r = new RegExp(re, flags); } catch (e) { console.log('result: error'); console.log(''); break; }
    const m = s.match(r);
    if (!m) { console.log('result: null'); }
    else {
      console.log('result: match');
      console.log('nr: ' + m.length);
      if (!r.global) console.log('index: ' + m.index);
      m.forEach((v, i) => console.log('v' + i + ': ' + show(v)));
    }
    console.log('');
  }
}
