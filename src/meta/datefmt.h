/*
 * datefmt.h: moment.js format() in a moment-timezone zone, English
 * locale, as metadata-action renders {{date 'FORMAT' tz='ZONE'}} and
 * {{commit_date 'FORMAT' tz='ZONE'}}.
 *
 * Tokens (moment 2.x, locale "en"):
 *   year    Y YY YYYY YYYYY YYYYYY, era N..NNNNN y yy yyy yyyy yo
 *   month   M Mo MM MMM MMMM, quarter Q Qo
 *   day     D Do DD, day of year DDD DDDo DDDD
 *   weekday d do dd ddd dddd, e (locale, Sunday 0), E (ISO, Monday 1)
 *   week    w wo ww gg gggg ggggg (US: weeks start Sunday, week 1 holds
 *           Jan 1), W Wo WW GG GGGG GGGGG (ISO 8601)
 *   time    H HH h hh k kk m mm s ss a A, S..SSSSSSSSS (fraction),
 *           Hmm Hmmss hmm hmmss eHHmm
 *   zone    Z (+09:00) ZZ (+0900) z zz (abbreviation, "JST")
 *   epoch   X (seconds) x (milliseconds)
 *   long    LT LTS L LL LLL LLLL l ll lll llll, expanded first
 * "[text]" is copied without its brackets, "\c" copies c, every other
 * character is copied, except line terminators (\n, \r, U+2028,
 * U+2029) and lone backslashes, which moment drops.  An empty (or NULL)
 * format is moment's default, "YYYY-MM-DDTHH:mm:ssZ", with a literal
 * "Z" instead of the offset when the offset is zero.  moment quirks kept:
 * "w|" and "W|" print literally, "ggg" is "gg" followed by "g".
 *
 * Zones are read from the system zoneinfo (tzdata): tz is an IANA name,
 * matched without regard to case as moment-timezone does; NULL means
 * UTC.  An unknown name is an error (moment-timezone would only warn and
 * print UTC with an empty abbreviation).  Checked against
 * moment-timezone 0.6 from 1850 (local mean time, e.g. +09:18:59 in
 * Tokyo) to 2100 (DST rules carried forward); what can differ is a
 * rule change known to one tzdata release and not to the other.
 *
 * The zone is applied through libc (TZ is set, tzset(), localtime_r(),
 * then TZ restored), so this must not run while another thread reads
 * local time.  Output is appended to out; nothing is allocated that the
 * caller must free besides out.
 */
#ifndef DATEFMT_H
#define DATEFMT_H

#include <stdint.h>

struct strbuf;

/*
 * Append the moment.js rendering of epoch_ms (milliseconds since
 * 1970-01-01T00:00:00Z) in zone tz to out.  0 on success;
 * -EXIT_INPUT for an unknown zone or an impossible date or format.
 */
int datefmt_format(int64_t epoch_ms, const char *fmt, const char *tz, struct strbuf *out);

/* 0 when tz names a zone in the system zoneinfo, else -EXIT_INPUT with a message. */
int datefmt_zone_check(const char *tz);

#endif
