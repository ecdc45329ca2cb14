"""A definition draws itself: an SVG of its states and transitions, made from the data
alone (no Graphviz, no network), so that the picture can never drift from the rules.

Layout: states in columns by their distance from the initial state (breadth first),
transitions as curved arrows labelled with their trigger; final states are drawn with a
double border, states that pause the office's clock dashed, and a state's deadlines are
listed under its name with their legal basis.
"""

from __future__ import annotations

from collections import deque
from html import escape

from workflows.spec import Workflow

BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN = 250, 74, 130, 46, 30


def _columns(wf: Workflow) -> dict[str, int]:
    depth = {wf.initial: 0}
    queue = deque([wf.initial])
    while queue:
        state = queue.popleft()
        for t in wf.transitions:
            if state in t.source and t.dest not in depth:
                depth[t.dest] = depth[state] + 1
                queue.append(t.dest)
    last = max(depth.values(), default=0)
    for s in wf.states:  # states no transition reaches still appear, at the end
        depth.setdefault(s.name, last + 1)
    return depth


def render_svg(wf: Workflow) -> str:
    column = _columns(wf)
    rows: dict[int, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    for s in wf.states:
        c = column[s.name]
        r = rows.get(c, 0)
        rows[c] = r + 1
        pos[s.name] = (MARGIN + c * (BOX_W + COL_GAP), MARGIN + 40 + r * (BOX_H + ROW_GAP))
    width = MARGIN * 2 + (max(column.values()) + 1) * (BOX_W + COL_GAP) - COL_GAP
    height = MARGIN * 2 + 40 + max(rows.values()) * (BOX_H + ROW_GAP)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/>"
        "</marker></defs>",
        f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="16" font-weight="bold">'
        f"{escape(wf.title.fr)} — {escape(wf.title.ar)} (v{wf.version})</text>",
    ]
    loops: dict[str, list[str]] = {}
    for i, t in enumerate(wf.transitions):
        for source in t.source:
            if source == t.dest:
                loops.setdefault(source, []).append(t.trigger)
                continue
            out.append(_arrow(pos[source], pos[t.dest], t.trigger, bend=(i % 3 - 1) * 18,
                              system=t.roles == frozenset({"system"})))
    for state, triggers in loops.items():
        out.append(_loop(pos[state], triggers))
    for s in wf.states:
        x, y = pos[s.name]
        style = 'stroke-dasharray="6 4"' if s.pauses_clock else ""
        fill = "#eef5ff" if s.name == wf.initial else ("#f1f1f1" if s.final else "#ffffff")
        out.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="10" fill="{fill}" '
                   f'stroke="#333" stroke-width="1.5" {style}/>')
        if s.final:
            out.append(f'<rect x="{x + 4}" y="{y + 4}" width="{BOX_W - 8}" height="{BOX_H - 8}" rx="8" '
                       'fill="none" stroke="#333"/>')
        out.append(f'<text x="{x + 10}" y="{y + 18}" font-weight="bold">{escape(s.name)}</text>')
        out.append(f'<text x="{x + 10}" y="{y + 33}">{escape(s.title.fr)}</text>')
        out.append(f'<text x="{x + BOX_W - 10}" y="{y + 48}" text-anchor="end" direction="rtl">'
                   f"{escape(s.title.ar)}</text>")
        for k, d in enumerate(s.deadlines[:1]):
            days = d.days if isinstance(d.days, int) else d.days.name
            unit = "j. francs" if d.counting.value == "full_days" else "j. ouvrables"
            basis = d.basis.label.fr if d.basis.instrument != "internal" else "règle interne"
            out.append(f'<text x="{x + 10}" y="{y + 64 + 12 * k}" font-size="10" fill="#a33">'
                       f"délai {escape(str(days))} {unit} · {escape(basis)}</text>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _loop(at: tuple[int, int], triggers: list[str]) -> str:
    """Steps that keep the case in its state (a session held, an action done): one loop
    above the box, listing them."""
    x, y = at
    x1, x2 = x + BOX_W - 70, x + BOX_W - 20
    return (
        f'<path d="M {x1} {y} C {x1} {y - 28} {x2} {y - 28} {x2} {y}" fill="none" stroke="#555" '
        f'stroke-width="1.2" marker-end="url(#arrow)"/>'
        f'<text x="{x1 - 4}" y="{y - 16}" font-size="10" fill="#225" text-anchor="end">'
        f"{escape(', '.join(triggers))}</text>"
    )


def _arrow(a: tuple[int, int], b: tuple[int, int], label: str, *, bend: int, system: bool) -> str:
    (ax, ay), (bx, by) = a, b
    if bx > ax:
        x1, y1, x2, y2 = ax + BOX_W, ay + BOX_H / 2, bx, by + BOX_H / 2
    elif bx < ax:
        x1, y1, x2, y2 = ax, ay + BOX_H / 2 + 10, bx + BOX_W, by + BOX_H / 2 + 10
    else:  # same column: loop out to the right, wider for states further apart
        x1, y1, x2, y2 = ax + BOX_W, ay + BOX_H / 2 - 8, bx + BOX_W, by + BOX_H / 2 + 8
        reach = 40 + abs(by - ay) * 0.25 + bend
        mx, my = x1 + reach, (y1 + y2) / 2
        lx, ly = (x1 + 2 * mx + x2) / 4 + 4, (y1 + 2 * my + y2) / 4
        return _path(x1, y1, mx, my, x2, y2, lx, ly, label, system, anchor="start")
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 20 + bend
    lx, ly = (x1 + 2 * mx + x2) / 4, (y1 + 2 * my + y2) / 4 - 4  # the curve's midpoint
    return _path(x1, y1, mx, my, x2, y2, lx, ly, label, system, anchor="middle")


def _path(
    x1: float, y1: float, mx: float, my: float, x2: float, y2: float, lx: float, ly: float,
    label: str, system: bool, *, anchor: str,
) -> str:
    """A quadratic curve with its arrow head; the scheduler's own steps are dashed."""
    colour = "#888" if system else "#555"
    dash = ' stroke-dasharray="3 3"' if system else ""
    return (
        f'<path d="M {x1:.0f} {y1:.0f} Q {mx:.0f} {my:.0f} {x2:.0f} {y2:.0f}" fill="none" '
        f'stroke="{colour}" stroke-width="1.2"{dash} marker-end="url(#arrow)"/>'
        f'<text x="{lx:.0f}" y="{ly:.0f}" font-size="11" fill="#225" '
        f'text-anchor="{anchor}">{escape(label)}</text>'
    )


def write_all(folder: str) -> list[str]:
    """Regenerate docs/workflows/<key>.svg for the latest version of every case type."""
    from pathlib import Path

    from workflows.registry import REGISTRY

    written = []
    for compiled in REGISTRY.latest():
        wf = compiled.workflow
        if wf.key.startswith("test_"):
            continue
        path = Path(folder) / f"{wf.key}.svg"
        path.write_text(render_svg(wf), encoding="utf-8")
        written.append(str(path))
    return written
