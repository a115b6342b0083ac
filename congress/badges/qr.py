"""QR codes as vectors: the module matrix from ``qrcode``, drawn as merged rectangles.

The same rectangles serve an inline SVG (web pages, e-mail) and raw PDF path operators that are
stamped onto weasyprint's pages (see ``render.py``): drawing a QR code through weasyprint's SVG
renderer costs about 20× more than the rest of a badge.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 2  # modules of white around the code (ISO asks 4; the badge's white margin adds the rest)


@lru_cache(maxsize=4096)
def matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    # Badge codes are 129 alphanumeric characters: version 6 at level M holds up to 154. Fixing the
    # version and the mask skips qrcode's search over both, which halves the time per code.
    fixed = len(data) <= 154 and data.isupper() and data.isalnum()
    code = qrcode.QRCode(version=6 if fixed else None, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(data, optimize=0)
    code.make(fit=not fixed)
    return tuple(tuple(row) for row in code.get_matrix())


def rectangles(data: str) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) in modules, quiet zone included; runs merged across rows."""
    grid = matrix(data)
    open_runs: dict[tuple[int, int], list[int]] = {}
    done: list[tuple[int, int, int, int]] = []
    for y, row in enumerate(grid):
        runs = set()
        x = 0
        n = len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.add((start, x - start))
            else:
                x += 1
        for key in list(open_runs):
            if key not in runs:
                rx, rw = key
                ry, rh = open_runs.pop(key)
                done.append((rx + QUIET_ZONE, ry + QUIET_ZONE, rw, rh))
        for key in runs:
            if key in open_runs:
                open_runs[key][1] += 1
            else:
                open_runs[key] = [y, 1]
    for (rx, rw), (ry, rh) in open_runs.items():
        done.append((rx + QUIET_ZONE, ry + QUIET_ZONE, rw, rh))
    return done


def size(data: str) -> int:
    """Side length in modules, quiet zone included."""
    return len(matrix(data)) + 2 * QUIET_ZONE


def svg(data: str, *, title: str = "QR code") -> str:
    n = size(data)
    path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in rectangles(data))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" role="img" shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title><rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>"
        f'<path fill="#000" d="{path}"/></svg>'
    )


def pdf_operators(data: str, x: float, y: float, side: float) -> bytes:
    """PDF content-stream operators drawing the code in a square at (x, y) of ``side`` points.

    Coordinates are those of weasyprint's page streams: points, origin top-left, y downwards.
    """
    n = size(data)
    unit = side / n
    ops = [f"q 1 g {x:.3f} {y:.3f} {side:.3f} {side:.3f} re f 0 g"]
    ops.extend(
        f"{x + rx * unit:.3f} {y + ry * unit:.3f} {rw * unit:.3f} {rh * unit:.3f} re"
        for rx, ry, rw, rh in rectangles(data)
    )
    ops.append("f Q")
    return "\n".join(ops).encode("ascii")
