#!/usr/bin/env python3
# Writes the md.b log U-Boot <= 2021.07 prints for an image (4-space ASCII column, CR LF), the
# format the guide's sed pipeline expects. Only md lines: the guide's pipeline would turn a prompt
# line into garbage bytes, and the benchmark compares both outputs with the image.
# Usage: gen_md_log.py IMG LOG [ADDR]
import sys

img, log = sys.argv[1], sys.argv[2]
base = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0x82000000
data = open(img, 'rb').read()
tab = bytes(b if 0x20 <= b < 0x7f else 0x2e for b in range(256))
hexs = [b'%02x' % b for b in range(256)]
with open(log, 'wb') as f:
    out = []
    for i in range(0, len(data), 16):
        c = data[i:i + 16]
        h = b' '.join(hexs[b] for b in c) + b'   ' * (16 - len(c))
        out.append(b'%08x: %s    %s\r\n' % (base + i, h, c.translate(tab)))
        if len(out) >= 65536:
            f.write(b''.join(out))
            out = []
    f.write(b''.join(out))
