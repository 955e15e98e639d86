#!/usr/bin/env bash
# Remakes fixtures/jpeg/*.jpg: real JPEGs from ffmpeg's moving test pattern plus the
# hard cases for the segment walker. Needs: ffmpeg, cjpeg/djpeg/jpegtran/wrjpgcom
# (libjpeg-turbo-progs), exiftool (libimage-exiftool-perl).
set -euo pipefail
cd "$(dirname "$0")/../fixtures/jpeg"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# QVGA and VGA frames of a moving test pattern (ESP32-CAM-like baseline JPEGs).
ffmpeg -loglevel error -y -f lavfi -i testsrc=size=320x240:rate=10 -frames:v 24 -q:v 7 -pix_fmt yuvj420p qvga-%03d.jpg
ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=640x480:rate=10 -frames:v 8 -q:v 9 -pix_fmt yuvj420p vga-%03d.jpg

# A source picture for the hard cases.
ffmpeg -loglevel error -y -f lavfi -i testsrc=size=320x240 -frames:v 1 "$tmp/src.ppm"
ffmpeg -loglevel error -y -f lavfi -i testsrc=size=160x120 -frames:v 1 -q:v 8 "$tmp/thumb.jpg"

# EXIF thumbnail: a whole JPEG (FF D8 … FF D9) nested inside the APP1 segment.
cjpeg -quality 80 -outfile exif-thumb.jpg "$tmp/src.ppm"
exiftool -q -overwrite_original -Make=cam-gateway -Model=fixture "-ThumbnailImage<=$tmp/thumb.jpg" exif-thumb.jpg

# Progressive: several SOS segments with entropy data between them.
cjpeg -quality 80 -progressive -outfile progressive.jpg "$tmp/src.ppm"

# Restart markers FF D0..FF D7 in the entropy-coded data (one every MCU row).
cjpeg -quality 80 -restart 1 -outfile restart.jpg "$tmp/src.ppm"

# FF D9 inside the quantisation table (zig-zag entries 0 and 1 are 255, 217) and
# FF D8 / FF D9 inside a COM segment: a splitter on FF D9 cuts these short.
{
  printf '255 217'; for _ in $(seq 3 64); do printf ' 16'; done; echo
} > "$tmp/qt.txt"
cjpeg -baseline -qtables "$tmp/qt.txt" -outfile "$tmp/dqt.jpg" "$tmp/src.ppm"
printf 'marker bytes \xff\xd8 and \xff\xd9 in a comment' > "$tmp/com.txt"
wrjpgcom -cfile "$tmp/com.txt" "$tmp/dqt.jpg" > dqt-ffd9.jpg

# Every fixture must decode.
for f in *.jpg; do djpeg -outfile /dev/null "$f"; done
