#!/bin/sh
# One HTTP request: GET /video answers with the mp4 (video/mp4, its length,
# then the bytes); any other path is 404.  Request lines and headers end
# in CR LF; the headers are read up to the empty line and ignored.
cr=$(printf '\r')
read -r method path version || exit 0
while read -r line; do
	line=${line%"$cr"}
	[ -z "$line" ] && break
done
echo "$method $path" >&2

reply() {
	printf 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$1" "$2" "$3"
}

case "$method $path" in
"GET /video" | "HEAD /video")
	size=$(wc -c <"$VIDEO_PATH")
	reply "200 OK" video/mp4 "$size"
	[ "$method" = GET ] && exec cat "$VIDEO_PATH"
	;;
*)
	reply "404 Not Found" text/plain 10
	printf 'not found\n'
	;;
esac
