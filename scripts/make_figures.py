"""Draw the course's diagrams into img/ (matplotlib only; deterministic output).

    python scripts/make_figures.py   # img/online_vs_offline_loop.png, img/imitate_vs_improve.png

The PNGs are committed; rerunning this script reproduces them byte for byte (no timestamps or
software version in the PNG metadata, fixed sizes and DPI, no randomness).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"
DPI = 110
FONT = "DejaVu Sans"  # ships with matplotlib: same glyphs on every machine

# a colour-blind-safe palette (Okabe-Ito)
BLUE, ORANGE, GREEN = "#0072B2", "#E69F00", "#009E73"
RED, GREY, PURPLE = "#D55E00", "#6b6b6b", "#CC79A7"
TINT = {  # light fills for the boxes
    BLUE: "#dbeaf5", ORANGE: "#fbefd5", GREEN: "#d5efe6",
    RED: "#f7e0d3", GREY: "#eeeeee", PURPLE: "#f5e4ee",
}  # fmt: skip


def _setup():
    plt.rcParams.update(
        {
            "font.family": FONT,
            "font.size": 11,
            "svg.hashsalt": "offrl",
            "path.simplify": True,
        }
    )


def box(ax, x, y, w, h, title, body="", color=BLUE, title_size=12, body_size=10):
    """A rounded box centred at (x, y) with a bold title and optional smaller body text."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            linewidth=1.8, edgecolor=color, facecolor=TINT[color], zorder=2,
        )
    )  # fmt: skip
    if body:
        ax.text(x, y + h * 0.17, title, ha="center", va="center", fontsize=title_size,
                fontweight="bold", color="#222222", zorder=3)  # fmt: skip
        ax.text(x, y - h * 0.2, body, ha="center", va="center", fontsize=body_size,
                color="#333333", zorder=3, linespacing=1.25)  # fmt: skip
    else:
        ax.text(x, y, title, ha="center", va="center", fontsize=title_size,
                fontweight="bold", color="#222222", zorder=3)  # fmt: skip


def arrow(ax, start, end, label="", color=GREY, rad=0.0, dashed=False, label_offset=(0, 0.18),
          label_size=10, ha="center"):  # fmt: skip
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=18, linewidth=1.8, color=color,
            connectionstyle=f"arc3,rad={rad}", linestyle=(0, (5, 3)) if dashed else "-",
            shrinkA=2, shrinkB=2, zorder=1,
        )
    )  # fmt: skip
    if label:
        mx = (start[0] + end[0]) / 2 + label_offset[0]
        my = (start[1] + end[1]) / 2 + label_offset[1]
        ax.text(mx, my, label, ha=ha, va="center", fontsize=label_size, color=color,
                style="italic", zorder=3)  # fmt: skip


def panel(ax, xmax, ymax, title, subtitle=""):
    ax.set_xlim(0, xmax)
    ax.set_ylim(0, ymax)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.text(0.1, ymax - 0.25, title, ha="left", va="top", fontsize=15, fontweight="bold")
    if subtitle:
        ax.text(0.1, ymax - 0.75, subtitle, ha="left", va="top", fontsize=10.5, color="#444444")


def online_vs_offline(path: Path) -> Path:
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(11.5, 8.4), gridspec_kw={"height_ratios": [4.6, 6.4], "hspace": 0.04}
    )
    # --- online RL: the agent learns by acting on the environment ---------------------------
    W = 14.8
    panel(top, W, 4.6, "Online RL: learn by acting",
          "Every policy the agent tries, including the bad early ones, "
          "is served to the environment.")  # fmt: skip
    box(top, 3.4, 2.0, 3.6, 1.7, "Agent", "policy π, updated\nafter every batch", BLUE)
    box(top, 11.4, 2.0, 3.6, 1.7, "Environment", "here: real users\n(or a simulator of them)",
        ORANGE)  # fmt: skip
    arrow(top, (5.25, 2.45), (9.55, 2.45), "action  aₜ  (a recommendation)", BLUE)
    arrow(top, (9.55, 1.55), (5.25, 1.55), "next state  sₜ₊₁,  reward  rₜ", ORANGE,
          label_offset=(0, -0.32))  # fmt: skip
    top.text(W / 2, 0.45, "needs many interactions  ·  explores on live users  ·  "
             "a faithful simulator of people is hard to build", ha="center", va="center",
             fontsize=10.5, color=RED)  # fmt: skip

    # --- offline RL: learn from the logs the current system already writes -----------------
    panel(bottom, W, 6.4, "Offline RL: learn from logs you already have",
          "Only a deployed recommender ever touches users; "
          "learning and evaluation happen on its logs.")  # fmt: skip
    y = 2.3
    box(bottom, 1.5, 4.35, 2.3, 0.95, "Users", "", ORANGE)
    box(bottom, 1.5, y, 2.6, 1.55, "Logs", "(s, a, r, s′, μ(a|s))\nof today's policy μ", GREY,
        body_size=9.5)  # fmt: skip
    box(bottom, 4.7, y, 2.4, 1.55, "Learner", "BC, MARWIL\n(no interaction)", BLUE, body_size=9.5)
    box(bottom, 7.65, y, 2.1, 1.55, "Policy π", "a candidate\nrecommender", PURPLE, body_size=9.5)
    box(bottom, 10.65, y, 2.5, 1.55, "OPE", "estimate π's value\nfrom the logs", GREEN,
        body_size=9.5)  # fmt: skip
    box(bottom, 13.6, y, 2.0, 1.55, "Deploy", "only if π\nlooks better", RED, body_size=9.5)
    arrow(bottom, (1.5, 3.85), (1.5, 3.1), "", ORANGE)
    bottom.text(1.7, 3.48, "μ serves users,\nevery step is logged", ha="left", va="center",
                fontsize=9, color=ORANGE, style="italic")  # fmt: skip
    for x0, x1 in ((2.8, 3.5), (5.9, 6.6), (8.7, 9.4), (11.9, 12.6)):
        arrow(bottom, (x0, y), (x1, y))
    arrow(bottom, (13.6, y + 0.8), (2.65, 4.45), "", RED, rad=0.22, dashed=True)
    bottom.text(8.4, 4.2, "next round: the deployed π serves users and writes the next logs",
                ha="center", va="center", fontsize=10, color=RED, style="italic")  # fmt: skip
    bottom.text(W / 2, 0.65, "no user ever sees an untested policy  ·  the data are fixed: "
                "what μ never did, the logs cannot tell", ha="center", va="center",
                fontsize=10.5, color=GREEN)  # fmt: skip
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.15, facecolor="white",
                metadata={"Software": None})  # fmt: skip
    plt.close(fig)
    return path


def _bars(ax, x0, y0, heights, color, width=0.42, gap=0.12, scale=3.8, labels=None, marks=None):
    """Small bar chart drawn in the data coordinates of a diagram axis; `marks` are (text,
    colour) pairs printed above the bars."""
    for i, hgt in enumerate(heights):
        x = x0 + i * (width + gap)
        ax.add_patch(plt.Rectangle((x, y0), width, hgt * scale, facecolor=color, edgecolor="none",
                                   zorder=2))  # fmt: skip
        if labels:
            ax.text(x + width / 2, y0 - 0.12, labels[i], ha="center", va="top", fontsize=9.5,
                    color="#333333")  # fmt: skip
        if marks:
            text, c = marks[i]
            ax.text(x + width / 2, y0 + hgt * scale + 0.06, text, ha="center", va="bottom",
                    fontsize=13, fontweight="bold", color=c)  # fmt: skip
    ax.plot([x0 - 0.1, x0 + len(heights) * (width + gap) - gap + 0.1], [y0, y0], color="#333333",
            linewidth=1, zorder=3)  # fmt: skip


def imitate_vs_improve(path: Path) -> Path:
    import math

    fig, (left, right) = plt.subplots(1, 2, figsize=(12.5, 5.9), gridspec_kw={"wspace": 0.05})
    # One logged state seen by both learners: the logger mostly picks the very sweet item a0
    # (good now, bad later: negative advantage) and rarely the mild a3 (positive advantage).
    mu = [0.50, 0.22, 0.15, 0.05, 0.08]
    advantage = [-1.0, -0.2, 0.1, 1.6, 0.6]
    beta = 1.5
    w = [m * math.exp(beta * a) for m, a in zip(mu, advantage)]
    marwil = [x / sum(w) for x in w]
    labels = ["a₀", "a₁", "a₂", "a₃", "a₄"]
    marks = [("+", GREEN) if a > 0 else ("−", RED) for a in advantage]

    for ax, title, subtitle in (
        (left, "Imitate: behaviour cloning (BC)", "uses (s, a) only: the rewards are ignored"),
        (right, "Improve: MARWIL / offline RL", "uses (s, a, r): the rewards decide what to copy"),
    ):
        panel(ax, 10, 7.9, title, subtitle)
        ax.text(2.0, 4.05, "logger μ(a|s)", ha="center", fontsize=10.5, fontweight="bold")
        _bars(ax, 0.74, 1.55, mu, GREY, labels=labels, marks=marks if ax is right else None)

    box(left, 2.0, 5.65, 2.9, 1.3, "Logs", "states s, actions a", GREY)
    box(left, 7.2, 5.65, 4.6, 1.3, "Maximise  log π(a|s)", "copy the logger's choices", BLUE)
    arrow(left, (3.5, 5.65), (4.85, 5.65))
    left.text(7.1, 4.05, "BC policy π(a|s)", ha="center", fontsize=10.5, fontweight="bold")
    _bars(left, 5.84, 1.55, mu, BLUE, labels=labels)
    arrow(left, (3.55, 2.3), (5.55, 2.3), "≈ the same", GREY, label_offset=(0, 0.3))
    left.text(5.0, 0.25, "at best about as good as the logger μ", ha="center", va="center",
              fontsize=11.5,
              color=BLUE, fontweight="bold")  # fmt: skip

    box(right, 2.0, 5.65, 2.9, 1.3, "Logs", "s, a and rewards r", GREY)
    box(right, 7.2, 5.65, 4.6, 1.3, r"Maximise  $e^{\beta A}\cdot\log\,\pi(a|s)$",
        "advantage A = return − V(s)", GREEN, title_size=11.5, body_size=9.5)  # fmt: skip
    arrow(right, (3.5, 5.65), (4.85, 5.65))
    right.text(7.1, 4.05, "MARWIL policy π(a|s)", ha="center", fontsize=10.5, fontweight="bold")
    _bars(right, 5.84, 1.55, marwil, GREEN, labels=labels)
    arrow(right, (3.55, 2.3), (5.55, 2.3), "re-weighted", GREEN, label_offset=(0, 0.3))
    right.text(2.0, 0.82, "+ / −: the action's advantage A", ha="center", fontsize=9,
               color="#444444")  # fmt: skip
    right.text(5.0, 0.25, "can beat μ if the logs cover the better actions   (β = 0 is BC)",
               ha="center", va="center", fontsize=11.5, color=GREEN, fontweight="bold")  # fmt: skip

    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.15, facecolor="white",
                metadata={"Software": None})  # fmt: skip
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMG, help="output folder (default: img/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    _setup()
    for make, name in ((online_vs_offline, "online_vs_offline_loop.png"),
                       (imitate_vs_improve, "imitate_vs_improve.png")):  # fmt: skip
        print(make(args.out / name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
