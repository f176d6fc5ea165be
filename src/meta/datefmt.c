/*
 * datefmt.c: moment.js format() for metadata-action's date helpers (see
 * datefmt.h for the token list and the quirks kept).
 *
 * How: the zone gives only the UTC offset and the abbreviation at that
 * instant (libc reads the zoneinfo file); every calendar field is then
 * computed here from the local milliseconds with the proleptic
 * Gregorian day arithmetic JavaScript's Date uses, so dates before 1900
 * or past 2038 and negative years come out as in moment.
 *
 * The format is cut into tokens the way moment's formatting regex does:
 * at each position the first alternative that matches wins ("[...]" up
 * to the last ']' before the next '[', then "\x", then the token list
 * in moment's order, then any single character).
 */
#include "lib/common.h"
#include "meta/datefmt.h"

#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DATE_MS 8640000000000000LL	/* JavaScript's Date range */

struct when {
	int64_t ms;		/* UTC milliseconds */
	int offset_min;		/* minutes east of UTC */
	char abbr[64];
	int64_t year;
	int month;		/* 0..11 */
	int day;		/* 1..31 */
	int wday;		/* 0 Sunday */
	int yday;		/* 1..366 */
	int hour, minute, second, millisecond;
};

static const char *month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *weekday_names[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};
static const char *weekday_min[] = { "Su", "Mo", "Tu", "We", "Th", "Fr", "Sa" };

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t days_from_civil(int64_t y, int m, int d)	/* m 1..12 */
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int weekday_of(int64_t days)
{
	return (int)(((days % 7) + 7 + 4) % 7);	/* 1970-01-01 was a Thursday */
}

/* moment's firstWeekOffset: where week 1 of year starts, relative to Jan 1. */
static int first_week_offset(int64_t year, int dow, int doy)
{
	int fwd = 7 + dow - doy;
	int fwdlw = (7 + weekday_of(days_from_civil(year, 1, fwd)) - dow) % 7;

	return -fwdlw + fwd - 1;
}

static int weeks_in_year(int64_t year, int dow, int doy)
{
	int off = first_week_offset(year, dow, doy);
	int next = first_week_offset(year + 1, dow, doy);

	return ((is_leap(year) ? 366 : 365) - off + next) / 7;
}

static void week_of_year(const struct when *w, int dow, int doy, int *week, int64_t *wyear)
{
	int off = first_week_offset(w->year, dow, doy);
	int wk = (int)floor_div(w->yday - off - 1, 7) + 1;

	if (wk < 1) {
		*wyear = w->year - 1;
		*week = wk + weeks_in_year(w->year - 1, dow, doy);
	} else if (wk > weeks_in_year(w->year, dow, doy)) {
		*week = wk - weeks_in_year(w->year, dow, doy);
		*wyear = w->year + 1;
	} else {
		*wyear = w->year;
		*week = wk;
	}
}

/* moment's zeroFill(number, width, forceSign). */
static void add_zero_fill(struct strbuf *out, int64_t n, int width, int force_sign)
{
	char digits[32];
	int len;
	uint64_t a = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;

	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)a);
	if (n < 0)
		strbuf_addch(out, '-');
	else if (force_sign)
		strbuf_addch(out, '+');
	for (int i = len; i < width; i++)
		strbuf_addch(out, '0');
	strbuf_addstr(out, digits);
}

static void add_ordinal(struct strbuf *out, int64_t n)
{
	int64_t b = n % 10, tens = (n % 100) / 10;
	const char *suffix = tens == 1 ? "th" : b == 1 ? "st" : b == 2 ? "nd" : b == 3 ? "rd" : "th";

	strbuf_addf(out, "%lld%s", (long long)n, suffix);
}

/* --- zones ---------------------------------------------------------- */

static const char *zoneinfo_dir(void)
{
	const char *d = getenv("TZDIR");

	return d && *d ? d : "/usr/share/zoneinfo";
}

/* Find name in dir, exactly or else ignoring case; appends it to path. */
static int find_entry(struct strbuf *path, const char *name, size_t len)
{
	struct strbuf try = STRBUF_INIT;
	struct stat st;
	DIR *dir;
	struct dirent *de;
	int found = -1;

	strbuf_addbuf(&try, path);
	strbuf_addch(&try, '/');
	strbuf_add(&try, name, len);
	if (!stat(try.buf, &st)) {
		strbuf_reset(path);
		strbuf_addbuf(path, &try);
		strbuf_release(&try);
		return 0;
	}
	dir = opendir(path->buf);
	while (dir && (de = readdir(dir))) {
		if (strlen(de->d_name) == len && !strncasecmp(de->d_name, name, len)) {
			strbuf_addf(path, "/%s", de->d_name);
			found = 0;
			break;
		}
	}
	if (dir)
		closedir(dir);
	strbuf_release(&try);
	return found;
}

/* The zoneinfo file for tz in out, or -EXIT_INPUT. */
static int zone_path(const char *tz, struct strbuf *out)
{
	struct strbuf path = STRBUF_INIT;
	const char *p = tz;
	char magic[4];
	int fd, rc = -1;

	if (!*tz || *tz == '/' || !strncasecmp(tz, "posix/", 6) || !strncasecmp(tz, "right/", 6))
		goto out;
	strbuf_addstr(&path, zoneinfo_dir());
	while (*p) {
		size_t len = strcspn(p, "/");

		if (!len || p[0] == '.')
			goto out;
		if (find_entry(&path, p, len) < 0)
			goto out;
		p += len;
		if (*p == '/')
			p++;
		if (!*p && p[-1] == '/')
			goto out;
	}
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	if (read(fd, magic, 4) == 4 && !memcmp(magic, "TZif", 4))
		rc = 0;
	close(fd);
out:
	if (!rc)
		strbuf_addbuf(out, &path);
	strbuf_release(&path);
	if (rc)
		return error_as(EXIT_INPUT, "unknown time zone '%s'", tz);
	return 0;
}

int datefmt_zone_check(const char *tz)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	if (!tz)
		return 0;
	rc = zone_path(tz, &path);
	strbuf_release(&path);
	return rc;
}

/* UTC offset (seconds east) and abbreviation at time t in the zone file. */
static int zone_lookup(const char *path, time_t t, long *gmtoff, char *abbr, size_t abbr_len)
{
	struct strbuf tzval = STRBUF_INIT;
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	struct tm tm;
	int rc = 0;

	strbuf_addf(&tzval, ":%s", path);
	setenv("TZ", tzval.buf, 1);
	tzset();
	if (!localtime_r(&t, &tm))
		rc = error_as(EXIT_INPUT, "date out of range for time zone '%s'", path);
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	if (!rc) {
		*gmtoff = tm.tm_gmtoff;
		snprintf(abbr, abbr_len, "%s", tm.tm_zone ? tm.tm_zone : "");
	}
	free(saved);
	strbuf_release(&tzval);
	return rc;
}

static int fill_when(struct when *w, int64_t ms, const char *tz)
{
	long gmtoff = 0;
	int64_t local, days, msday;
	int m;

	memset(w, 0, sizeof(*w));
	w->ms = ms;
	if (!tz) {
		snprintf(w->abbr, sizeof(w->abbr), "UTC");
	} else {
		struct strbuf path = STRBUF_INIT;
		int rc = zone_path(tz, &path);

		if (!rc)
			rc = zone_lookup(path.buf, (time_t)floor_div(ms, 1000), &gmtoff,
					 w->abbr, sizeof(w->abbr));
		strbuf_release(&path);
		if (rc)
			return rc;
	}
	w->offset_min = (int)(gmtoff / 60);
	local = ms + (int64_t)gmtoff * 1000;
	days = floor_div(local, 86400000);
	msday = local - days * 86400000;
	civil_from_days(days, &w->year, &m, &w->day);
	w->month = m - 1;
	w->wday = weekday_of(days);
	w->yday = (int)(days - days_from_civil(w->year, 1, 1)) + 1;
	w->hour = (int)(msday / 3600000);
	w->minute = (int)(msday / 60000 % 60);
	w->second = (int)(msday / 1000 % 60);
	w->millisecond = (int)(msday % 1000);
	return 0;
}

/* --- format strings ------------------------------------------------- */

/* Length of "[...]" at s: up to the last ']' before the next '['; 0 if none. */
static size_t bracket_len(const char *s)
{
	size_t i, last = 0;

	if (s[0] != '[')
		return 0;
	for (i = 1; s[i] && s[i] != '['; i++)
		if (s[i] == ']')
			last = i;
	return last ? last + 1 : 0;
}

/* Bytes of a line terminator at s (\n \r U+2028 U+2029), else 0. */
static size_t line_terminator_len(const char *s)
{
	if (*s == '\n' || *s == '\r')
		return 1;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
	    ((unsigned char)s[2] == 0xa8 || (unsigned char)s[2] == 0xa9))
		return 3;
	return 0;
}

/* Bytes of the character at s (a whole UTF-8 sequence). */
static size_t char_len(const char *s)
{
	unsigned char c = *s;
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		   (c & 0xf8) == 0xf0 ? 4 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

static size_t run_of(const char *s, char c, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] == c)
		n++;
	return n;
}

static const char *long_format(const char *tok, size_t len)
{
	static const struct { const char *tok, *fmt; } tab[] = {
		{ "LTS", "h:mm:ss A" }, { "LT", "h:mm A" }, { "L", "MM/DD/YYYY" },
		{ "LL", "MMMM D, YYYY" }, { "LLL", "MMMM D, YYYY h:mm A" },
		{ "LLLL", "dddd, MMMM D, YYYY h:mm A" }, { "l", "M/D/YYYY" },
		{ "ll", "MMM D, YYYY" }, { "lll", "MMM D, YYYY h:mm A" },
		{ "llll", "ddd, MMM D, YYYY h:mm A" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (strlen(tab[i].tok) == len && !memcmp(tab[i].tok, tok, len))
			return tab[i].fmt;
	return NULL;
}

/* Length of a long-date token (LTS|LT|LL?L?L?|l{1,4}) at s, or 0. */
static size_t long_token_len(const char *s)
{
	if (!strncmp(s, "LTS", 3))
		return 3;
	if (!strncmp(s, "LT", 2))
		return 2;
	if (s[0] == 'L')
		return run_of(s, 'L', 4);
	if (s[0] == 'l')
		return run_of(s, 'l', 4);
	return 0;
}

/* moment's expandFormat for the English locale (one pass is a fixed point). */
static void expand_format(const char *fmt, struct strbuf *out)
{
	const char *s = fmt;

	while (*s) {
		size_t n = bracket_len(s);

		if (n) {
			strbuf_add(out, s, n);
			s += n;
		} else if (s[0] == '\\' && (n = long_token_len(s + 1))) {
			strbuf_add(out, s, n + 1);
			s += n + 1;
		} else if ((n = long_token_len(s))) {
			strbuf_addstr(out, long_format(s, n));
			s += n;
		} else {
			strbuf_addch(out, *s++);
		}
	}
}

/*
 * Length of the formatting token at s, trying moment's alternatives in
 * order; 0 when s starts a line terminator (which '.' does not match).
 */
static size_t token_len(const char *s)
{
	size_t n;

	if (!strncmp(s, "eHHmm", 5))
		return 5;
	if ((s[0] == 'H' || s[0] == 'h') && !strncmp(s + 1, "mm", 2))
		return !strncmp(s + 3, "ss", 2) ? 5 : 3;
	if (!strncmp(s, "Mo", 2))
		return 2;
	if (s[0] == 'M')
		return run_of(s, 'M', 4);
	if (!strncmp(s, "Do", 2))
		return 2;
	if (!strncmp(s, "DDDo", 4))
		return 4;
	if (s[0] == 'D')
		return run_of(s, 'D', 4);
	if (s[0] == 'd' && s[1] == 'd')
		return run_of(s, 'd', 4);
	if (s[0] == 'd')
		return s[1] == 'o' ? 2 : 1;
	if (s[0] == 'w')
		return (s[1] == 'o' || s[1] == '|' || s[1] == 'w') ? 2 : 1;
	if (s[0] == 'W')
		return (s[1] == 'o' || s[1] == '|' || s[1] == 'W') ? 2 : 1;
	if (s[0] == 'Q')
		return s[1] == 'o' ? 2 : 1;
	if (s[0] == 'N')
		return run_of(s, 'N', 5);
	if (s[0] == 'Y') {
		n = run_of(s, 'Y', 6);
		if (n >= 4)
			return n;
		if (n >= 2)
			return 2;
		/* a single Y falls to '.' below */
	}
	if (s[0] == 'y') {
		n = run_of(s, 'y', 4);
		if (n >= 2)
			return n;
		return s[1] == 'o' ? 2 : 1;
	}
	if (s[0] == 'g' || s[0] == 'G') {
		n = run_of(s, s[0], 5);
		if (n >= 4)
			return n;
		if (n >= 2)
			return 2;
	}
	if (s[0] == 'h' || s[0] == 'H' || s[0] == 'k' || s[0] == 'm' || s[0] == 's')
		return run_of(s, s[0], 2);
	if (s[0] == 'S')
		return run_of(s, 'S', 9);
	if (s[0] == 'z' || s[0] == 'Z')
		return run_of(s, s[0], 2);
	if (line_terminator_len(s))
		return 0;
	return char_len(s);
}

/* Render a token; 0 if it was one, -1 if it is not a formatting token. */
static int render(const struct when *w, const char *tok, size_t len, struct strbuf *out)
{
	char t[16];
	int week;
	int64_t wyear;

	if (len >= sizeof(t))
		return -1;
	memcpy(t, tok, len);
	t[len] = '\0';

#define IS(x) (!strcmp(t, (x)))
	if (IS("Y"))
		w->year <= 9999 ? add_zero_fill(out, w->year, 4, 0) : strbuf_addf(out, "+%lld", (long long)w->year);
	else if (IS("YY"))
		add_zero_fill(out, w->year % 100, 2, 0);
	else if (IS("YYYY") || IS("YYYYY"))
		add_zero_fill(out, w->year, (int)len, 0);
	else if (IS("YYYYYY"))
		add_zero_fill(out, w->year, 6, 1);
	else if (IS("N") || IS("NN") || IS("NNN") || IS("NNNNN"))
		strbuf_addstr(out, w->year >= 1 ? "AD" : "BC");
	else if (IS("NNNN"))
		strbuf_addstr(out, w->year >= 1 ? "Anno Domini" : "Before Christ");
	else if (IS("y") || IS("yy") || IS("yyy") || IS("yyyy"))
		add_zero_fill(out, w->year >= 1 ? w->year : 1 - w->year, (int)len, 0);
	else if (IS("yo"))
		add_ordinal(out, w->year >= 1 ? w->year : 1 - w->year);
	else if (IS("M"))
		strbuf_addf(out, "%d", w->month + 1);
	else if (IS("MM"))
		add_zero_fill(out, w->month + 1, 2, 0);
	else if (IS("Mo"))
		add_ordinal(out, w->month + 1);
	else if (IS("MMM"))
		strbuf_add(out, month_names[w->month], 3);
	else if (IS("MMMM"))
		strbuf_addstr(out, month_names[w->month]);
	else if (IS("Q"))
		strbuf_addf(out, "%d", w->month / 3 + 1);
	else if (IS("Qo"))
		add_ordinal(out, w->month / 3 + 1);
	else if (IS("D"))
		strbuf_addf(out, "%d", w->day);
	else if (IS("DD"))
		add_zero_fill(out, w->day, 2, 0);
	else if (IS("Do"))
		add_ordinal(out, w->day);
	else if (IS("DDD"))
		strbuf_addf(out, "%d", w->yday);
	else if (IS("DDDD"))
		add_zero_fill(out, w->yday, 3, 0);
	else if (IS("DDDo"))
		add_ordinal(out, w->yday);
	else if (IS("d") || IS("e"))
		strbuf_addf(out, "%d", w->wday);
	else if (IS("do"))
		add_ordinal(out, w->wday);
	else if (IS("dd"))
		strbuf_addstr(out, weekday_min[w->wday]);
	else if (IS("ddd"))
		strbuf_add(out, weekday_names[w->wday], 3);
	else if (IS("dddd"))
		strbuf_addstr(out, weekday_names[w->wday]);
	else if (IS("E"))
		strbuf_addf(out, "%d", w->wday ? w->wday : 7);
	else if (IS("w") || IS("ww") || IS("wo")) {
		week_of_year(w, 0, 6, &week, &wyear);
		if (IS("wo"))
			add_ordinal(out, week);
		else
			add_zero_fill(out, week, (int)len, 0);
	} else if (IS("W") || IS("WW") || IS("Wo")) {
		week_of_year(w, 1, 4, &week, &wyear);
		if (IS("Wo"))
			add_ordinal(out, week);
		else
			add_zero_fill(out, week, (int)len, 0);
	} else if ((t[0] == 'g' || t[0] == 'G') && len != 1 && len != 3) {
		if (t[0] == 'g')
			week_of_year(w, 0, 6, &week, &wyear);
		else
			week_of_year(w, 1, 4, &week, &wyear);
		add_zero_fill(out, len == 2 ? wyear % 100 : wyear, (int)len, 0);
	} else if (IS("H"))
		strbuf_addf(out, "%d", w->hour);
	else if (IS("HH"))
		add_zero_fill(out, w->hour, 2, 0);
	else if (IS("h") || IS("hh"))
		add_zero_fill(out, w->hour % 12 ? w->hour % 12 : 12, (int)len, 0);
	else if (IS("k") || IS("kk"))
		add_zero_fill(out, w->hour ? w->hour : 24, (int)len, 0);
	else if (IS("m") || IS("mm"))
		add_zero_fill(out, w->minute, (int)len, 0);
	else if (IS("s") || IS("ss"))
		add_zero_fill(out, w->second, (int)len, 0);
	else if (IS("Hmm") || IS("Hmmss") || IS("hmm") || IS("hmmss") || IS("eHHmm")) {
		if (t[0] == 'e')
			strbuf_addf(out, "%d%02d%02d", w->wday, w->hour, w->minute);
		else
			strbuf_addf(out, "%d%02d", t[0] == 'H' ? w->hour : (w->hour % 12 ? w->hour % 12 : 12),
				    w->minute);
		if (len == 5 && t[0] != 'e')
			strbuf_addf(out, "%02d", w->second);
	} else if (IS("a"))
		strbuf_addstr(out, w->hour > 11 ? "pm" : "am");
	else if (IS("A"))
		strbuf_addstr(out, w->hour > 11 ? "PM" : "AM");
	else if (t[0] == 'S') {
		int64_t v = w->millisecond;

		if (len == 1)
			v /= 100;
		else if (len == 2)
			v /= 10;
		for (size_t i = 3; i < len; i++)
			v *= 10;
		add_zero_fill(out, v, len == 1 ? 0 : (int)len, 0);
	} else if (IS("X"))
		strbuf_addf(out, "%lld", (long long)floor_div(w->ms, 1000));
	else if (IS("x"))
		strbuf_addf(out, "%lld", (long long)w->ms);
	else if (IS("z") || IS("zz"))
		strbuf_addstr(out, w->abbr);
	else if (IS("Z") || IS("ZZ")) {
		int off = w->offset_min < 0 ? -w->offset_min : w->offset_min;

		strbuf_addf(out, "%c%02d%s%02d", w->offset_min < 0 ? '-' : '+', off / 60,
			    len == 1 ? ":" : "", off % 60);
	} else
		return -1;
#undef IS
	return 0;
}

/* A token that is not a formatting token: moment's removeFormattingTokens. */
static void add_literal(struct strbuf *out, const char *tok, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (tok[i] != '\\')
			strbuf_addch(out, tok[i]);
}

int datefmt_format(int64_t epoch_ms, const char *fmt, const char *tz, struct strbuf *out)
{
	struct strbuf expanded = STRBUF_INIT, res = STRBUF_INIT;
	struct when w;
	const char *s;
	int any = 0, rc;

	if (epoch_ms > MAX_DATE_MS || epoch_ms < -MAX_DATE_MS)
		return error_as(EXIT_INPUT, "date out of range: %lld ms", (long long)epoch_ms);
	rc = fill_when(&w, epoch_ms, tz);
	if (rc)
		return rc;
	if (!fmt || !*fmt)
		fmt = w.offset_min ? "YYYY-MM-DDTHH:mm:ssZ" : "YYYY-MM-DDTHH:mm:ss[Z]";

	expand_format(fmt, &expanded);
	s = expanded.buf;
	while (*s) {
		size_t n = bracket_len(s);

		if (n) {
			strbuf_add(&res, s + 1, n - 2);
			s += n;
			any = 1;
			continue;
		}
		if (s[0] == '\\' && s[1] == 'e') {
			strbuf_addch(&res, 'e');	/* moment's own "\\e" alternative */
			s += 2;
			any = 1;
			continue;
		}
		if (s[0] == '\\' && s[1] && (n = token_len(s + 1))) {
			add_literal(&res, s + 1, n);	/* "\x": never a token */
			s += n + 1;
			any = 1;
			continue;
		}
		n = token_len(s);
		if (!n) {
			s += line_terminator_len(s);	/* '.' skips these */
			continue;
		}
		if (render(&w, s, n, &res) < 0)
			add_literal(&res, s, n);
		s += n;
		any = 1;
	}
	if (!any) {
		rc = error_as(EXIT_INPUT, "invalid date format '%s'", fmt);
		goto out;
	}
	strbuf_addbuf(out, &res);
out:
	strbuf_release(&expanded);
	strbuf_release(&res);
	return rc;
}
