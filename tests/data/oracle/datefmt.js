// Prints tests/data/datefmt.cases: moment-timezone's format() output.
const moment = require('moment-timezone');
const iso = s => Date.parse(s);
const times = [
  0, -1, 1, 999, 1000, 86399999, 86400000, -86400000, 951782400000, 946684799999,
  iso('2024-01-15T03:04:05.678Z'), iso('2024-02-29T23:59:59.999Z'), iso('2024-03-10T06:59:59.999Z'),
  iso('2024-03-10T07:00:00.000Z'), iso('2024-11-03T05:59:59.999Z'), iso('2024-11-03T06:00:00Z'),
  iso('2024-03-31T00:59:59.999Z'), iso('2024-03-31T01:00:00Z'), iso('2024-10-27T00:59:59Z'),
  iso('2024-10-27T01:00:00Z'), iso('2020-12-31T12:00:00Z'), iso('2021-01-01T00:30:00Z'),
  iso('2021-01-03T15:00:00Z'), iso('2021-01-04T09:00:00Z'), iso('2026-12-31T23:00:00Z'),
  iso('2027-01-01T12:00:00Z'), iso('2015-12-31T18:00:00Z'), iso('2016-01-01T00:00:00Z'),
  iso('2008-12-29T12:00:00Z'), iso('2010-01-03T12:00:00Z'), iso('2012-12-30T12:00:00Z'),
  iso('2017-01-01T12:00:00Z'), iso('2019-12-30T12:00:00Z'), iso('2023-06-15T12:34:56.007Z'),
  iso('2023-12-31T23:59:59.050Z'), iso('2037-07-01T00:00:00Z'), iso('1999-12-31T23:59:59.100Z'),
  iso('1980-02-29T11:22:33Z'), iso('1960-06-15T08:00:00Z'), iso('1901-01-01T00:00:00Z'),
  iso('2001-09-09T01:46:40Z'), iso('2024-07-04T16:20:00Z'), iso('2024-12-25T00:00:00Z'),
  iso('1850-01-01T00:00:00Z'), iso('1880-06-01T12:00:00Z'), iso('2040-07-01T12:00:00Z'),
  iso('2100-01-01T05:00:00Z'),
];
const zones = [null, 'UTC', 'Asia/Tokyo', 'America/New_York', 'Europe/Paris', 'Asia/Kolkata',
  'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu', 'Etc/GMT+5',
  'europe/paris', 'US/Eastern', 'Europe/London', 'America/Los_Angeles', 'Australia/Sydney'];
const big = 'YYYY-MM-DD HH:mm:ss.SSS Z ZZ z|Y YY Q Qo|M Mo MM MMM MMMM|D Do DD DDD DDDo DDDD|' +
  'd do dd ddd dddd e E|w wo ww W Wo WW gg gggg GG GGGG|H HH h hh k kk a A|m mm s ss S SS|X x';
const cases = [];
for (const t of times) for (const z of zones) cases.push([t, z, big]);
const formats = [
  'YYYYMMDD', 'YYYYMMDD-HHmmss', 'YYYY.MM.DD', 'YYYYMMDDHHmm', '[v]YYYY.MM.DD', 'YYYY-[W]WW',
  'GGGG-[W]WW-E', 'gggg-ww-e', '', 'LT', 'LTS', 'L', 'LL', 'LLL', 'LLLL', 'l', 'll', 'lll',
  'llll', 'LLLLL', '[LT] \\LT', '[a]b] [x', '[[a]', '[a][b]', 'x]y', '\\YYYY \\[YYYY]', '\\',
  'a\\', '\\e \\eHHmm eHHmm', 'Hmm Hmmss hmm hmmss', 'w| W| wo', 'YYY YYYYY YYYYYY YYYYYYY',
  'ggg ggggg GGG GGGGG g G', 'N NN NNN NNNN NNNNN NNNNNN', 'y yo yy yyy yyyy yyyyy',
  'S SS SSS SSSS SSSSS SSSSSS SSSSSSS SSSSSSSS SSSSSSSSS SSSSSSSSSS', 'MMMMM DDDDD ddddd',
  'hh:mm a', 'kk:mm', 'zz z Z ZZ ZZZ', 'Do [of] MMMM', 'DDDo', 'line\nbreak', 'tab\there',
  'é ü ✓ 😀', 'unknown: b c f i j n o p q r t u v', 'B C F G I J K O P R T U V', '#$%^&*()',
  'YYYY-MM-DDTHH:mm:ss.SSSZ', 'YYYY-MM-DDTHH:mm:ss[Z]', 'X.SSS', 'x',
];
const some = [0, iso('2024-01-15T03:04:05.678Z'), iso('2024-03-10T07:00:00.000Z'),
  iso('2024-10-27T00:59:59Z'), iso('2021-01-01T00:30:00Z'), iso('2024-07-04T16:20:00.5Z')];
for (const f of formats) for (const t of some) for (const z of [null, 'Asia/Tokyo', 'America/New_York', 'Europe/Paris'])
  cases.push([t, z, f]);
// big years
for (const t of [253402300799999, 253402300800000, 8640000000000000, -62198755200000, -62135596800000,
  -62135596800001, -8640000000000000])
  cases.push([t, null, 'Y YY YYYY YYYYY YYYYYY N NNNN y yo gggg GGGG X x']);
for (const [t, z, f] of cases) {
  let m = moment(t);
  m = m.tz(z === null ? 'UTC' : z);
  console.log('### ' + t + ' ms in ' + (z === null ? 'the default zone' : z));
  console.log('ms: ' + t);
  if (z !== null) console.log('tz: ' + z);
  console.log('fmt: ' + JSON.stringify(f));
  console.log('out: ' + JSON.stringify(m.format(f)));
  console.log('');
}
