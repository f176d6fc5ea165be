# lib-secrets.sh: a made-up checkout token, placed as actions/checkout
# places the real one, and a binary-safe search for it in images.
#
#   checkout_token_set REPO      .git/config gets actions/checkout's
#                                http.https://github.com/.extraheader
#                                ("AUTHORIZATION: basic BASE64") with
#                                $LEAK_TOKEN (its base64 in $LEAK_TOKEN_B64)
#   layout_holds LAYOUT STRING   0 when STRING is in a blob of the OCI
#                                layout LAYOUT, each layer decompressed
#                                (gzip, zstd, or as stored), grep -a
#
# Both the token and its base64 form are searched for: the file holds the
# latter.

LEAK_TOKEN=ghs_LeakCanary0publishTESTtoken7Q
LEAK_TOKEN_B64=$(printf "x-access-token:%s" "$LEAK_TOKEN" | base64 | tr -d '\n')

checkout_token_set() {
	git config --file "$1/.git/config" "http.https://github.com/.extraheader" \
		"AUTHORIZATION: basic $LEAK_TOKEN_B64"
}

layout_holds() {
	_found=1
	for _b in "$1"/blobs/sha256/*; do
		[ -f "$_b" ] || continue
		case "$(od -An -tx1 -N4 "$_b" | tr -d ' ')" in
		1f8b*) gzip -dc <"$_b" ;;
		28b52ffd) zstd -dc <"$_b" ;;
		*) cat "$_b" ;;
		esac | grep -a -q -F -- "$2" && { _found=0; echo "'$2' found in blob $_b" >&2; }
	done
	return $_found
}

# layout_holds_token LAYOUT: the token in either form
layout_holds_token() {
	layout_holds "$1" "$LEAK_TOKEN" || layout_holds "$1" "$LEAK_TOKEN_B64"
}

# layout_paths LAYOUT: every path of every layer, sorted (tar tf)
layout_paths() {
	for _b in "$1"/blobs/sha256/*; do
		case "$(od -An -tx1 -N4 "$_b" | tr -d ' ')" in
		1f8b*) gzip -dc <"$_b" | tar tf - 2>/dev/null ;;
		28b52ffd) zstd -dc <"$_b" | tar tf - 2>/dev/null ;;
		esac
	done | sed "s|/\$||" | LC_ALL=C sort -u
}
