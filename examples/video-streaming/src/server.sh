#!/bin/sh
# The video-streaming microservice (after "Bootstrapping Microservices",
# chapter 2): GET /video streams an mp4 over HTTP.  busybox nc accepts the
# connections (-ll: keep listening, one handler process per connection) and
# runs handle.sh with the socket as its standard input and output.
if [ -z "$PORT" ]; then
	echo "Please specify the port number for the HTTP server with the environment variable PORT." >&2
	exit 1
fi
echo "Microservice listening on port $PORT, point your browser at http://localhost:$PORT/video" >&2
exec nc -ll -p "$PORT" -e /srv/handle.sh
