#!/usr/bin/env bash
# Renders the report in headless Chromium and checks the screenshot is not blank: the page
# as a browser shows it, not as the tests read its HTML.
#
#   scripts/screenshot-report.sh [OUT_DIR]        (default: target/screenshot)
#
# Needs chromium (apt-get install chromium) and python3. Writes OUT_DIR/report.png and
# OUT_DIR/top.png (the first screen), and prints the share of non-white pixels of each.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshot}
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "no chromium: apt-get install chromium" >&2
    exit 2
fi
cargo run --release --quiet -- report --out "$out/report" > "$out/findings.txt"
page="file://$(realpath "$out/report/index.html")"
shot() {
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size="$2" --screenshot="$1" "$page" 2>/dev/null
}
shot "$out/top.png" 1100,900
shot "$out/report.png" 1100,9000
# Not blank: enough pixels that are not white, in more than one colour, in every band of
# the page's first screen (a page that failed to render is white or one flat colour).
python3 - "$out/top.png" "$out/report.png" <<'PY'
import struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8, "8-bit PNGs only"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = {2: 3, 6: 4}[ctype]
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows

ok = True
for path in sys.argv[1:]:
    w, h, bpp, rows = pixels(path)
    colours, inked = set(), 0
    for row in rows[::4]:
        for x in range(0, w * bpp, bpp * 4):
            px = row[x:x + 3]
            colours.add(px)
            inked += px != b"\xff\xff\xff"
    share = inked / ((h // 4 + 1) * (w // 4 + 1))
    print(f"{path}: {w}x{h}, {share:.1%} of sampled pixels not white, {len(colours)} colours")
    if share < 0.02 or len(colours) < 16:
        print(f"{path}: looks blank", file=sys.stderr)
        ok = False
sys.exit(0 if ok else 1)
PY
