#!/bin/sh
# make-video.sh: regenerate videos/SampleVideo.mp4, the sample the service
# streams.  ffmpeg (Debian's) draws its test pattern with a 440 Hz tone;
# threads=1 and the bitexact flags make the file the same on every run, so
# the committed file can be checked: `sh make-video.sh && git diff --stat`.
set -e
cd "$(dirname "$0")"
ffmpeg -loglevel error -y \
	-f lavfi -i "testsrc=size=320x180:rate=15:duration=10" \
	-f lavfi -i "sine=frequency=440:duration=10:sample_rate=22050" \
	-c:v libx264 -preset veryslow -crf 32 -pix_fmt yuv420p -x264-params threads=1 \
	-c:a aac -b:a 32k -ac 1 \
	-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
	-movflags +faststart videos/SampleVideo.mp4
