#!/usr/bin/python3
"""Statistics of the reference low-light model (shared/tools/lowlight_ref.py) on the test images.

Writes tests/data/lowlight_reference.json, which tests/core/lowlight_test.cpp compares the C++ model with.
For every image, level (ll, xll) and mode (RGB, L), it records the parameters the reference draws for that
file name (EV, read noise, cast gains), the mean of the reference's output, and its noise: the standard
deviation of (reference output - the same darkening without noise), in 8-bit levels.

Command that produced the stored file (Debian python3-numpy + python3-pil):
  python3 tests/tools/lowlight_reference_stats.py ../shared/tools/lowlight_ref.py tests/data/faces \
      /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg > tests/data/lowlight_reference.json
"""
import importlib.util
import json
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def main():
    spec = importlib.util.spec_from_file_location("lowlight_ref", sys.argv[1])
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    files = sorted(Path(sys.argv[2]).glob("*.jpg")) + [Path(p) for p in sys.argv[3:]]
    rows = []
    for f in files:
        for mode in ("RGB", "L"):
            arr = np.asarray(Image.open(f).convert(mode))
            for level in ("ll", "xll"):
                p = ref.LEVELS[level]
                rng = np.random.default_rng(zlib.crc32(f"{level}:{f.name}".encode()))
                ev = rng.uniform(*p["ev"])
                read = rng.uniform(*p["read"])
                g, b = rng.uniform(0.75, 0.95), rng.uniform(0.45, 0.75)
                out = ref.darken(arr, level, f.name).astype(np.float64)
                x = ref.srgb_to_linear(arr.astype(np.float64) / 255.0)
                if x.ndim == 3:
                    x = x * np.array([1.0, g, b])
                clean = np.round(255.0 * ref.linear_to_srgb(np.clip(x * 2.0 ** -ev, 0, 1)))
                rows.append(dict(file=f.name, path=str(f), mode=mode, level=level, ev=ev, read_noise=read,
                                 cast_g=g, cast_b=b, mean=float(out.mean()),
                                 noise_std=float((out - clean).std())))
    json.dump(dict(command=" ".join(["python3"] + sys.argv), rows=rows), sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
