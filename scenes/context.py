"""Part 2 (T1, T2): context moves a word; the same word among other words lands elsewhere.

Everything drawn is the head the lesson follows, from the core's ``contrast`` study
(qkv/studies/contrast.py), in planes that fill the frame: first the followed query and every
key (from them come its weights, drawn as bars beside them); then the values as
arrows, and the query's output sliding from its own value to its weights' mix of them, which
lies among them; then the sentence with one other word swapped (the ``swap`` companion), its
weights beside the first ones, and the same word's output landing somewhere else, both landings
side by side. Wider vectors are drawn as their best flat projection, and the plane says so.
With config/apple.toml the vectors are seed 004's own (W = I): apple lands at (1.1454, 2.4273)
beside orange and at (2.8546, 1.1454) beside phone. A cross-attention lesson or a sentence with
no other word has nothing to swap, and says so. The whole scene is laid out before it plays
(``lay_out``): its last state is the closing picture the next scene opens on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    BackgroundRectangle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    GrowFromPoint,
    Line,
    ManimColor,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    Text,
    VGroup,
    VMobject,
    config,
)

from qkv import lookup, lookup_array
from scenes.kit.base import LessonScene
from scenes.kit.layout import CAPTION_TOP, CONTENT_WIDTH, FRAME_TOP, MARGIN
from scenes.kit.picture import signature
from scenes.kit.provenance import TraceBar
from scenes.kit.style import BACKGROUND, FONT, FRAME_LINE, LABEL_SIZE, MUTED, NUMBER_SIZE, ROLE
from scenes.kit.widgets import DIM_TEX, fit, in_reading_order, role_formula

__all__ = ["Context"]

# The swapped sentence: its replacement word, its weights, its values and its landing
SWAP = ManimColor("#7AB8FF")
# Where the planes stand (left) and the weights panel (right), inside the content box
LEFT_EDGE = -config.frame_width / 2 + MARGIN
RIGHT_EDGE = config.frame_width / 2 - MARGIN
PLANE_LO = np.array([LEFT_EDGE, CAPTION_TOP + 0.12, 0.0])
PLANE_HI = np.array([0.8, FRAME_TOP - 0.78, 0.0])
TITLE_BAND = 0.5  # the plane's top strip, kept free of vectors for its title
LABEL_ROOM = 0.55  # kept round the vectors for their labels
BANNER_Y = FRAME_TOP - 0.38  # the sentence, across the top of the frame
PANEL_LEFT = 1.05
LABEL_RIGHT, BAR_LEFT, BAR_WIDTH = 2.95, 3.1, 1.45  # panel columns: key | bar | a | a'
COLUMNS = (5.1, 6.1)  # centres of the weights' numbers: the sentence's, the swap's
PLANE_LABEL = LABEL_SIZE * 0.75
# directions tried round a label's anchor, nearest the preferred one first (radians)
# two landings nearer than CLOSE (scene units) are also shown in a view INSET wide
CLOSE, INSET = 0.3, 2.3
GHOST = 0.4  # the opacity of the replaced word's value, left where it was
TURNS = (0.0, 0.45, -0.45, 0.9, -0.9, 1.4, -1.4, 1.9, -1.9, 2.5, -2.5, np.pi)

# Words of the pictures (not captions), in the lesson's language
_WORDS = {
    "projection": {"en": "flat projection of", "zh": "平面投影，原维度", "ru": "проекция из"},
    "weights_of": {"en": "weights of", "zh": "权重：", "ru": "веса для"},
}


@dataclass
class Plane:
    """A plane on screen: its grid and title, and where a vector of it is drawn."""

    origin: np.ndarray
    unit: float  # scene units per unit of the vectors
    grid: VGroup
    title: VMobject

    def at(self, xy: np.ndarray) -> np.ndarray:
        """The scene point of a vector of the plane."""
        return self.origin + np.array([xy[0], xy[1], 0.0]) * self.unit

    def reach(self, xy: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """Where a line from ``start`` (the origin) toward a vector stops on screen: at the
        vector, or at the plane's edge if the vector lies beyond it."""
        start = self.origin if start is None else start
        piece = _clip(start[:2], self.at(xy)[:2], PLANE_LO[:2], PLANE_HI[:2])
        end = piece[1] if piece is not None else start[:2]
        return np.array([end[0], end[1], 0.0])


class Spots:
    """Free places for the labels of one plane: no label over another label or the title,
    none across an arrow, all inside the plane."""

    def __init__(self) -> None:
        self.boxes: list[tuple[np.ndarray, np.ndarray]] = []
        self.points = np.zeros((0, 2))

    def block(self, mob: VMobject) -> None:
        self.boxes.append((mob.get_corner(DOWN + LEFT)[:2], mob.get_corner(UP + RIGHT)[:2]))

    def block_dot(self, p: np.ndarray, r: float = 0.14) -> None:
        self.boxes.append((p[:2] - r, p[:2] + r))

    def block_line(self, a: np.ndarray, b: np.ndarray) -> None:
        steps = max(2, int(np.linalg.norm(b - a) / 0.06) + 1)
        along = np.linspace(0.0, 1.0, steps)[:, None]
        self.points = np.vstack([self.points, (a + along * (b - a))[:, :2]])

    def crossed(self, a: np.ndarray, b: np.ndarray) -> bool:
        """Whether the segment a-b passes over a label."""
        along = np.linspace(0.0, 1.0, max(2, int(np.linalg.norm(b - a) / 0.05)))[:, None]
        points = (a + along * (b - a))[:, :2]
        return any(
            ((points >= lo - 0.03) & (points <= hi + 0.03)).all(axis=1).any()
            for lo, hi in self.boxes
        )

    def fits(self, lo: np.ndarray, hi: np.ndarray, over_arrows: bool) -> bool:
        """The box lo..hi lies in the plane, clear of every label (and arrow)."""
        if (lo < PLANE_LO[:2]).any() or (hi > PLANE_HI[:2]).any():
            return False
        if any(
            (np.minimum(hi, b_hi) - np.maximum(lo, b_lo) > -0.06).all() for b_lo, b_hi in self.boxes
        ):
            return False
        if over_arrows:
            return True
        inside = ((self.points >= lo - 0.05) & (self.points <= hi + 0.05)).all(axis=1)
        return not inside.any()

    def place(
        self, label: VMobject, anchor: np.ndarray, direction: np.ndarray, required: bool = False
    ) -> bool:
        """Put ``label`` beside ``anchor``: along ``direction`` if free, else turning round it,
        nearest first. A required label may cover an arrow (never a label); False: no room."""
        length = np.linalg.norm(direction[:2])
        d = direction[:2] / length if length > 1e-9 else np.array([0.0, 1.0])
        half = np.array([label.width, label.height]) / 2
        for over_arrows in (False, True) if required else (False,):
            for reach in (0.1, 0.22, 0.38, 0.6, 0.9, 1.3):
                for turn in TURNS:
                    c, s = np.cos(turn), np.sin(turn)
                    u = np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]])
                    centre = anchor[:2] + u * (reach + abs(u[0]) * half[0] + abs(u[1]) * half[1])
                    if self.fits(centre - half, centre + half, over_arrows):
                        label.move_to([centre[0], centre[1], 0.0])
                        self.block(label)
                        return True
        return False


@dataclass
class Panel:
    """The followed query's weights, one line per key: token, bar, number (and the swap's)."""

    header: VGroup
    head: VMobject  # a, over the sentence's numbers
    labels: list[VMobject]
    bars: list[TraceBar]
    numbers: list[VMobject]
    rows: list[float]  # each line's y
    pitch: float
    unit: float  # scene units of bar per unit of weight
    thin: list[TraceBar] = field(default_factory=list)  # the bars, once the swap's join them


@dataclass
class Column:
    """The swapped sentence's weights, beside the first ones, and the swapped key's new name."""

    head: VMobject
    bars: list[TraceBar] = field(default_factory=list)
    numbers: list[VMobject] = field(default_factory=list)
    label: VMobject = field(default_factory=VGroup)


@dataclass
class QueryKeys:
    """The first plane: the followed query and every key, as arrows, and their names."""

    plane: Plane
    query: VGroup
    keys: list[VGroup]
    q_name: VMobject  # an empty group when the plane has no room for it
    k_names: list[VMobject]


@dataclass
class Landing:
    """The word's point: a dot at its output (it slides there from ``start``), the trail it
    leaves, its name, and a line to the landing before it (the swap's)."""

    start: np.ndarray
    dot: Dot
    trail: Line
    name: VMobject
    link: Line | None = None

    def picture(self) -> VGroup:
        moved = np.linalg.norm(self.dot.get_center() - self.start) > 0.02
        return VGroup(
            *([self.trail] if moved else []), self.dot, self.name, *filter(None, [self.link])
        )


@dataclass
class Swap:
    """The swapped sentence: its banner, its values and their names, its weights, and the
    replaced word's value left as a ghost."""

    banner: VGroup
    marks: dict[int, VGroup]
    labels: dict[int, VMobject]
    column: Column
    ghost: list[VMobject]


@dataclass
class Board:
    """The whole scene laid out before anything plays (the closing picture is its last
    state): the followed query and the swapped token, the query's weights, the sentence across
    the top, the query-key plane, the weights panel, the values' plane, the landings and, with
    a swap, the swapped sentence's pieces and a magnified view of two close landings."""

    query: int
    swapped: int  # the token replaced in the swap companion; -1: none
    projected: bool  # the planes are projections of wider vectors
    cross: bool  # keys and values come from another sentence
    weights: np.ndarray  # (S,) the query's weights, the sentence's
    swap_weights: np.ndarray | None  # (S,) ... the swap's
    banner: VGroup
    qk: QueryKeys | None = None
    panel: Panel | None = None
    plane: Plane | None = None  # the values' plane
    marks: dict[int, VGroup] = field(default_factory=dict)  # the value arrows
    labels: dict[int, VMobject] = field(default_factory=dict)  # their names
    landing: Landing | None = None  # the query's output
    swap: Swap | None = None
    second: Landing | None = None  # ... in the swapped sentence
    inset: VGroup | None = None
    spots: Spots = field(default_factory=Spots)

    def named(self, weights: np.ndarray) -> list[int]:
        """The order in which vectors get a name, while there is room: the query's own
        (self-attention), then the heaviest first."""
        heaviest = [int(j) for j in np.argsort(-weights, kind="stable")]
        own = [] if self.cross else [self.query]
        return own + [j for j in heaviest if j not in own]


class Context(LessonScene):
    map_step = "mix"  # lit on the lesson map
    captions = {
        "qk": {
            "en": 'The query of "{0}" and every key, drawn as arrows',
            "zh": "“{0}”的查询向量和每个键，画成箭头",
            "ru": "Запрос «{0}» и все ключи — стрелками",
        },
        "projected": {
            "en": "The vectors have more than two entries: we see their best flat shadow",
            "zh": "这些向量不止两个分量：我们看到的是它们最好的平面投影",
            "ru": "У векторов больше двух компонент: мы видим их лучшую плоскую проекцию",
        },
        "alike": {
            "en": 'From the query and each key: the weights of "{0}", one bar per key',
            "zh": "由查询和每个键得出“{0}”的权重，每个键一个条形",
            "ru": "Из запроса и каждого ключа — веса «{0}», по полосе на ключ",
        },
        "random": {
            "en": "Random, untrained weight matrices: these bars mean nothing",
            "zh": "权重矩阵是随机的、未经训练：这些条形没有意义",
            "ru": "Весовые матрицы случайны и не обучены: эти полосы ничего не значат",
        },
        "trained": {
            "en": "A layer of a trained model: its weight matrices were learned from text",
            "zh": "训练好的模型中的一层：它的权重矩阵是从文本中学到的",
            "ru": "Слой обученной модели: его весовые матрицы выучены на текстах",
        },
        "chosen": {
            "en": "These vectors were chosen by hand, not learned",
            "zh": "这些向量是手工选定的，不是学出来的",
            "ru": "Эти векторы заданы вручную, а не выучены",
        },
        "values": {
            "en": "Each token also carries a value: what it hands on",
            "zh": "每个词元还带着一个值向量：它要传递的内容",
            "ru": "У каждого токена есть и значение — то, что он передаёт",
        },
        "slide": {
            "en": '"{0}" leaves its own value for its weights\' mix of all the values',
            "zh": "“{0}”离开自己的值，走向按权重混合的所有值",
            "ru": "«{0}» уходит от своего значения к смеси всех значений по весам",
        },
        "slide_cross": {
            "en": "\"{0}\" lands on its weights' mix of the other sentence's values",
            "zh": "“{0}”落在按权重混合的另一句话的值上",
            "ru": "«{0}» попадает в смесь значений другого предложения по весам",
        },
        "among": {
            "en": "Weights, none negative, sum to one: the mix lies among the values",
            "zh": "权重都不为负、和为一：混合结果落在这些值之间",
            "ru": "Веса неотрицательны, их сумма — единица: смесь лежит среди значений",
        },
        "among_relu": {
            "en": "ReLU weights need not sum to one: the mix may land outside the values",
            "zh": "ReLU 的权重之和不一定为一：混合结果可能落在这些值之外",
            "ru": "Веса ReLU не обязаны давать в сумме единицу: смесь может выйти за значения",
        },
        "swap": {
            "en": 'Now swap one word: "{0}" becomes "{1}"',
            "zh": "换掉一个词：“{0}”变成“{1}”",
            "ru": "Заменим одно слово: «{0}» станет «{1}»",
        },
        "again": {
            "en": 'The same "{0}" in the new sentence: its own weights, its own landing',
            "zh": "新句子里同一个“{0}”：有自己的权重，也有自己的落点",
            "ru": "То же «{0}» в новом предложении: свои веса, своя точка",
        },
        "context": {
            "en": "Same word, one neighbour changed, another output: that is context",
            "zh": "同一个词，换了一个邻居，输出就不同：这就是上下文",
            "ru": "То же слово, другой сосед — другой выход: это и есть контекст",
        },
        "alone": {
            "en": "No other word here to swap, so there is no second sentence to compare",
            "zh": "这里没有别的词可换，所以没有第二个句子可比",
            "ru": "Здесь нечего заменить, и сравнить не с чем",
        },
        "cross_context": {
            "en": "Here the context is the other sentence: its values decide where it lands",
            "zh": "这里的上下文是另一句话：它的值决定落点",
            "ru": "Здесь контекст — другое предложение: его значения решают, куда попасть",
        },
    }

    def construct(self) -> None:
        """The query and the keys give the weights; the values, mixed by them, move the word;
        one other word swapped, the same word lands elsewhere: context. Everything is laid out
        first (``lay_out``), so the scene ends on exactly its closing picture."""
        board = self.lay_out()
        self.draw_query_and_keys(board)
        self.say_the_plane_is_flat(board)
        self.weigh_the_keys(board)
        self.say_whose_weights_these_are()
        self.draw_the_values(board)
        self.slide_to_the_mix(board)
        self.show_the_pull(board)
        if board.swap is None:
            self.nothing_to_swap(board)
        else:
            self.swap_one_word(board)
            self.land_again(board)
            self.name_it(board)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The values' plane with the word's landing (both landings, after a swap, and their
        weights side by side in the panel), the sentence across the top."""
        board = self.lay_out()
        panel, plane = board.panel, board.plane
        picture = VGroup(plane.grid, plane.title, panel.header, panel.head, *panel.numbers)
        if board.swap is None:
            for j, mark in board.marks.items():
                mark.set_opacity(self._strength_of(board.weights, j))
            return picture.add(
                board.banner,
                *board.marks.values(),
                *board.labels.values(),
                *panel.labels,
                *panel.bars,
                board.landing.picture(),
            )
        swap, s = board.swap, board.swapped
        for mob in swap.ghost:
            mob.set_opacity(GHOST)
        column = swap.column
        return picture.add(
            swap.banner,
            *swap.ghost,
            *swap.marks.values(),
            *swap.labels.values(),
            *(column.label if j == s else label for j, label in enumerate(panel.labels)),
            *panel.thin,
            column.head,
            *column.bars,
            *column.numbers,
            board.landing.picture(),
            board.second.picture(),
            *([board.inset] if board.inset is not None else []),
        )

    # ---- the layout: every mobject of the scene, in its place, before anything plays ----

    def lay_out(self) -> Board:
        """The scene's mobjects in the order their places are decided (each name is placed
        clear of what was placed before it)."""
        query = int(lookup(self.trace, "contrast.query"))
        swapped = int(lookup(self.trace, "contrast.swapped"))
        h = f"heads.{self.head}"
        board = Board(
            query=query,
            swapped=swapped,
            projected=lookup(self.trace, "contrast.projected") == 1,
            cross=self.trace.X_kv is not None,
            weights=lookup_array(self.trace, f"{h}.weights")[query],
            swap_weights=(
                lookup_array(self.trace, f"swap.{h}.weights")[query] if swapped >= 0 else None
            ),
            banner=self._banner("tokens", {query: ROLE["Q"]}),
        )
        board.qk = self._query_and_keys(board)
        board.panel = self._panel(board)
        self._values(board)
        q, plane = board.query, board.plane
        V = lookup_array(self.trace, "contrast.V")
        start = plane.origin if board.cross else plane.at(V[q])
        end = plane.at(lookup_array(self.trace, "contrast.output")[q])
        board.landing = self._landing(board, start, end, ROLE["output"], "contrast.output")
        if board.swapped >= 0:
            board.swap = self._swap(board)
            start = plane.at(lookup_array(self.trace, "contrast.V_swap")[q])
            end = plane.at(lookup_array(self.trace, "contrast.output_swap")[q])
            first = board.landing.dot.get_center()
            board.second = self._landing(board, start, end, SWAP, "contrast.output_swap", first)
            board.inset = self._inset(board)
        return board

    def _query_and_keys(self, board: Board) -> QueryKeys:
        """The followed word's query and every key, arrows from the origin of one plane."""
        q = board.query
        Q, K = lookup_array(self.trace, "contrast.Q"), lookup_array(self.trace, "contrast.K")
        plane = self._plane(np.vstack([Q[[q]], K]), (("q", "Q"), ("k", "K")), "d_k", board)
        spots = self._spots(plane, [Q[q], *K])
        # the query thick and under the keys: a key along it still shows
        query = self._mark(plane, Q[q], ROLE["Q"], width=8)
        keys = [self._mark(plane, k, ROLE["K"]) for k in K]
        q_name = self.num.token(q, font_size=PLANE_LABEL, color=ROLE["Q"])
        tip = plane.reach(Q[q])
        if not spots.place(q_name, tip, tip - plane.origin, required=True):
            q_name = VGroup()  # no room anywhere in the plane: unnamed
        k_names = []
        for j in board.named(board.weights):
            name = self.num.token(j, "key_tokens", font_size=PLANE_LABEL, color=ROLE["K"])
            if spots.place(name, plane.reach(K[j]), plane.reach(K[j]) - plane.origin):
                k_names.append(name)
        return QueryKeys(plane, query, keys, q_name, k_names)

    def _values(self, board: Board) -> None:
        """Each token's value, an arrow in a plane of its own, named where there is room."""
        V = lookup_array(self.trace, "contrast.V")
        plane = self._plane(
            self._in_view(board), (("v", "V"), (r"\mathrm{out}", "output")), "d_v", board
        )
        board.plane, board.spots = plane, self._spots(plane, V)
        self._keep_landings_free(board)
        board.marks = {j: self._mark(plane, v, ROLE["V"]) for j, v in enumerate(V)}
        board.labels = self._name_values(board, V, "contrast.V", {})

    def _swap(self, board: Board) -> Swap:
        """The swapped sentence: its values (as strongly as its weights weigh them), named
        again clear of the first landing and of the replaced word's value, which stays as a
        ghost; its weights beside the first ones."""
        q, s, plane = board.query, board.swapped, board.plane
        V_swap = lookup_array(self.trace, "contrast.V_swap")
        banner = self._banner("swap.tokens", {q: ROLE["Q"], s: SWAP})
        marks = {
            j: self._mark(plane, v, SWAP if j == s else ROLE["V"]) for j, v in enumerate(V_swap)
        }
        for j, mark in marks.items():
            mark.set_opacity(self._strength_of(board.swap_weights, j))
        board.spots = self._spots(plane, V_swap)
        landing = board.landing
        board.spots.block(landing.name)
        board.spots.block_dot(landing.dot.get_center())
        self._keep_landings_free(board)
        board.spots.block_line(landing.trail.get_start(), landing.trail.get_end())
        board.spots.block_line(plane.origin, plane.reach(lookup_array(self.trace, "contrast.V")[s]))
        ghost = [board.marks[s], *([board.labels[s]] if s in board.labels else [])]
        if s in board.labels:
            board.spots.block(board.labels[s])
        labels = self._name_values(board, V_swap, "contrast.V_swap", {s: SWAP})
        return Swap(banner, marks, labels, self._second_column(board), ghost)

    # ---- beats ----

    def draw_query_and_keys(self, board: Board) -> None:
        """The sentence and the query-key plane come in as the last scene's picture leaves;
        then the query and the keys grow from the origin."""
        qk = board.qk
        self.play(FadeIn(board.banner), FadeIn(qk.plane.grid), FadeIn(qk.plane.title), run_time=1.0)
        self.say("qk", ("tokens", board.query))
        self.play(GrowFromPoint(qk.query, qk.plane.origin), FadeIn(qk.q_name), run_time=0.8)
        self.play(
            *(GrowFromPoint(k, qk.plane.origin) for k in qk.keys),
            *(FadeIn(n) for n in qk.k_names),
            run_time=1.2,
        )
        self._hold()

    def say_the_plane_is_flat(self, board: Board) -> None:
        """Wider vectors: what the plane shows is their best flat projection (said once)."""
        if board.projected:
            self.say("projected")
            self._hold()

    def weigh_the_keys(self, board: Board) -> None:
        """The query's weights beside the plane, one bar per key."""
        panel = board.panel
        self.say("alike", ("tokens", board.query))
        self.play(FadeIn(panel.header), FadeIn(panel.head), *(FadeIn(m) for m in panel.labels))
        self.play(
            *(GrowFromEdge(bar, LEFT) for bar in panel.bars),
            *(FadeIn(n) for n in panel.numbers),
            run_time=1.2,
        )
        self._hold()

    def say_whose_weights_these_are(self) -> None:
        """Random weights mean nothing; a trained model's were learned; typed ones chosen."""
        source = self.trace.config["source"]
        if source == "seeded":
            self.say("random")
        elif source == "minilm":
            self.say("trained")
        else:
            self.say("chosen")
        self._hold()

    def draw_the_values(self, board: Board) -> None:
        """The query-key plane gives way to the values' plane."""
        qk, plane = board.qk, board.plane
        self.say("values")
        self.play(
            FadeOut(VGroup(qk.query, *qk.keys, qk.q_name, *qk.k_names)),
            FadeOut(qk.plane.grid),
            FadeOut(qk.plane.title),
            run_time=0.6,
        )
        self.play(FadeIn(plane.grid), FadeIn(plane.title), run_time=0.6)
        self.play(
            *(GrowFromPoint(m, plane.origin) for m in board.marks.values()),
            *(FadeIn(n) for n in board.labels.values()),
            run_time=1.2,
        )
        self._hold()

    def slide_to_the_mix(self, board: Board) -> None:
        """The values light up by weight; the word's point slides from its own value to its
        output, leaving a trail."""
        self.say("slide_cross" if board.cross else "slide", ("tokens", board.query))
        self.play(*self._strength(board.marks, board.weights), run_time=0.8)
        self._land(board.landing)
        self._hold()

    def show_the_pull(self, board: Board) -> None:
        """A line from the output to every value, as strong as its weight: it is their mix."""
        end = board.landing.dot.get_center()
        pulls = self._pulls(board, lookup_array(self.trace, "contrast.V"), board.weights, end)
        relu = self.trace.config["normaliser"] == "relu"
        self.say("among_relu" if relu else "among")
        self.play(Create(pulls), run_time=1.2)
        self._hold()
        self.play(FadeOut(pulls), run_time=0.5)

    def nothing_to_swap(self, board: Board) -> None:
        """Cross-attention, or no other word: there is no second sentence to compare."""
        self.say("cross_context" if board.cross else "alone")
        self._hold(0.8)

    def swap_one_word(self, board: Board) -> None:
        """One other word swapped: the sentence changes, the values move where they changed
        (the replaced word's stays as a ghost), its weights stand beside the first ones."""
        swap, s, panel = board.swap, board.swapped, board.panel
        column = swap.column
        self.say("swap", ("tokens", s), ("swap.tokens", s))
        pairs = zip(board.banner, swap.banner, strict=True)  # one token changes
        self.play(*(a for old, new in pairs for a in _turn_into(old, new)))
        labels = _turn_into_each(board.labels, swap.labels, keep=s)
        self.play(
            *(ReplacementTransform(board.marks[j], swap.marks[j]) for j in swap.marks if j != s),
            ReplacementTransform(board.marks[s].copy(), swap.marks[s]),
            *(mob.animate.set_opacity(GHOST) for mob in swap.ghost),
            *labels,
            FadeTransform(panel.labels[s], column.label),
            *(
                ReplacementTransform(bar, thin)
                for bar, thin in zip(panel.bars, panel.thin, strict=True)
            ),
            run_time=1.2,
        )
        self.play(
            FadeIn(column.head),
            *(GrowFromEdge(bar, LEFT) for bar in column.bars),
            *(FadeIn(n) for n in column.numbers),
            run_time=1.2,
        )
        self._hold()

    def land_again(self, board: Board) -> None:
        """The same word's point in the new sentence slides to its own landing, beside the
        first one, a short line between them."""
        self.say("again", ("tokens", board.query))
        self._land(board.second)
        self._hold()

    def name_it(self, board: Board) -> None:
        """Same word, other neighbours, another output: that is context (two landings too
        close to tell apart are shown magnified as well)."""
        self.say("context")
        if board.inset is not None:
            self.play(FadeIn(board.inset), run_time=1.0)
        self._hold(0.8)

    # ---- pieces ----

    def _hold(self, breath: float = 0.3) -> None:
        """Hold the caption until it is read, and a breath after the picture moved."""
        started = self.time
        self.hold()
        if self.time - started < breath:
            self.wait(breath - (self.time - started))

    def _banner(self, side: str, colours: dict[int, ManimColor]) -> VGroup:
        """The sentence (of ``side``) as a line of tokens across the top of the frame."""
        words = VGroup(
            *(
                self.num.token(i, side, font_size=LABEL_SIZE * 0.8, color=colours.get(i, ROLE["X"]))
                for i in range(len(self.trace.tokens))
            )
        )
        in_reading_order(words, self.trace.sentence, buff=0.28)  # a swapped word keeps it
        fit(words, CONTENT_WIDTH, 0.5)
        return words.move_to([0.0, BANNER_Y, 0.0])

    def _plane(
        self, points: np.ndarray, symbols: tuple[tuple[str, str], ...], width: str, board: Board
    ) -> Plane:
        """A plane filling the left of the frame, scaled so that ``points`` (and the origin)
        fill it, with a grid line every round number of units, and its title."""
        unit, origin = _fit(points)
        step = next(s for s in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if s * unit >= 0.45)
        grid = VGroup()
        for axis in (0, 1):
            first = int(np.ceil((PLANE_LO[axis] - origin[axis]) / (step * unit)))
            last = int(np.floor((PLANE_HI[axis] - origin[axis]) / (step * unit)))
            for k in range(first, last + 1):
                at = origin[axis] + k * step * unit
                ends = [PLANE_LO.copy(), PLANE_HI.copy()]
                for end in ends:
                    end[axis] = at
                ends[0][1 - axis], ends[1][1 - axis] = PLANE_LO[1 - axis], PLANE_HI[1 - axis]
                grid.add(
                    Line(
                        *ends,
                        stroke_color=MUTED if k == 0 else FRAME_LINE,
                        stroke_width=1.5 if k == 0 else 1,
                        stroke_opacity=0.9 if k == 0 else 0.6,
                    )
                )
        # the plane's edge: graph paper with a border (it also marks the plane's extent
        # where few vectors stand)
        edge = Rectangle(
            width=PLANE_HI[0] - PLANE_LO[0],
            height=PLANE_HI[1] - PLANE_LO[1],
            stroke_color=FRAME_LINE,
            stroke_width=1,
            stroke_opacity=0.6,
        )
        grid.add(edge.move_to((PLANE_LO + PLANE_HI) / 2))
        grid.set_z_index(-2)
        title = self._title(symbols, width, board.projected)
        title.move_to([PLANE_LO[0] + 0.1 + title.width / 2, PLANE_HI[1] - TITLE_BAND / 2, 0.0])
        backing = BackgroundRectangle(title, color=BACKGROUND, fill_opacity=0.9, buff=0.08)
        return Plane(origin, unit, grid, VGroup(backing, title))

    def _title(self, symbols: tuple[tuple[str, str], ...], width: str, projected: bool) -> VGroup:
        """``q, k`` in their colours, then the vectors' width (and: a flat projection)."""
        size = LABEL_SIZE * 0.85
        names = role_formula((symbols[0], (r",\;", None), symbols[1]), size * 1.25)
        parts: list[VMobject] = [names]
        if projected:
            parts.append(
                Text(
                    _WORDS["projection"][self.language],
                    font=FONT,
                    font_size=size * 0.8,
                    color=MUTED,
                    disable_ligatures=True,
                )
            )
        parts += [
            MathTex(DIM_TEX[width] + " =", font_size=size),
            self.num.dim(width, font_size=size),
        ]
        title = VGroup(*parts).arrange(RIGHT, buff=0.15)
        title[0].shift(LEFT * 0.15)
        return fit(title, PLANE_HI[0] - PLANE_LO[0] - 0.3, TITLE_BAND * 0.8)

    def _in_view(self, board: Board) -> np.ndarray:
        """The vectors the values' plane is fitted to: the query's own value and output, the
        values it weights at least half as much as the average (in either sentence), and the
        swapped sentence's; a lighter value lying far off is drawn up to the plane's edge."""
        V = lookup_array(self.trace, "contrast.V")
        shown = [lookup_array(self.trace, "contrast.output")[board.query]]
        sentences = [(V, board.weights)]
        if board.swapped >= 0:
            shown.append(lookup_array(self.trace, "contrast.output_swap")[board.query])
            sentences.append((lookup_array(self.trace, "contrast.V_swap"), board.swap_weights))
        every = np.vstack([*shown, *(values for values, _ in sentences)])
        for values, weights in sentences:
            keep = weights >= 0.5 * weights.mean()
            if not board.cross:
                keep[board.query] = True
            if board.swapped >= 0:
                keep[board.swapped] = True
            shown.extend(values[keep])
        # every value, unless the light ones far off would shrink the picture a lot
        return np.vstack(shown) if _fit(np.vstack(shown))[0] > 1.6 * _fit(every)[0] else every

    def _keep_landings_free(self, board: Board) -> None:
        """Keep the names of the values off where the word's point will slide and land."""
        plane, q = board.plane, board.query
        paths = [("contrast.V", "contrast.output")]
        if board.swapped >= 0:
            paths.append(("contrast.V_swap", "contrast.output_swap"))
        for start, end in paths:
            to = plane.at(lookup_array(self.trace, end)[q])
            own = plane.origin if board.cross else plane.at(lookup_array(self.trace, start)[q])
            board.spots.block_line(own, to)
            board.spots.block_dot(to)

    def _spots(self, plane: Plane, vectors) -> Spots:
        """The plane's free places, with every arrow of ``vectors`` and the title blocked."""
        spots = Spots()
        spots.block(plane.title)
        for v in vectors:
            spots.block_line(plane.origin, plane.reach(v))
        return spots

    def _mark(self, plane: Plane, xy: np.ndarray, colour, width: float = 4.0) -> VGroup:
        """A vector: an arrow from the origin, with a dot at its tip when it is too short for
        its arrow head to read (a vector at the origin is only the dot)."""
        start, end = plane.origin, plane.reach(xy)
        length = np.linalg.norm(end - start)
        dot = Dot(end, radius=0.06, color=colour)
        if length < 0.02:
            return VGroup(dot)
        if not np.allclose(end, plane.at(xy)):  # beyond the plane's edge: drawn up to it
            return VGroup(Line(start, end, color=colour, stroke_width=width))
        arrow = Arrow(
            start,
            end,
            buff=0,
            color=colour,
            stroke_width=width,
            tip_length=0.22,
            max_tip_length_to_length_ratio=0.35,
            max_stroke_width_to_length_ratio=60,
        )
        return VGroup(arrow, dot) if length < 0.5 else VGroup(arrow)

    def _name_values(
        self, board: Board, vectors: np.ndarray, key: str, colours: dict[int, ManimColor]
    ) -> dict[int, VMobject]:
        """Names for the values worth one, each pushed out along its arrow (in a plane of two
        entries with its coordinates, when there is room); a value with no room goes unnamed."""
        plane, spots = board.plane, board.spots
        swapped = key.endswith("_swap")
        side = "swap.tokens" if swapped else "key_tokens"
        named = board.named(board.swap_weights if swapped else board.weights)
        if swapped and board.swapped not in named:  # the caption names the swapped word
            named = [*named[:-1], board.swapped]
        names = {}
        for j in named:
            tip = plane.reach(vectors[j])
            colour = colours.get(j, ROLE["V"])
            for with_pair in (True, False) if not board.projected else (False,):
                name = self.num.token(j, side, font_size=PLANE_LABEL, color=colour)
                if with_pair:
                    name = VGroup(name, self._pair(key, j)).arrange(DOWN, buff=0.05)
                if spots.place(name, tip, tip - plane.origin):
                    names[j] = name
                    break
        return names

    def _pair(self, key: str, i: int, colour: ManimColor | None = None) -> VGroup:
        """``(x, y)``: both entries of a vector of the plane, from the trace (in ``colour``,
        else each number by its sign)."""
        size = NUMBER_SIZE * 0.9
        entries = [
            self.num.value(key, i, k, font_size=size, coloured=colour is None) for k in (0, 1)
        ]
        pair = VGroup(
            MathTex("(", font_size=size),
            entries[0],
            MathTex(",", font_size=size),
            entries[1],
            MathTex(")", font_size=size),
        ).arrange(RIGHT, buff=0.06)
        pair[2].align_to(entries[0], DOWN).shift(DOWN * 0.04)  # a comma, not a dot
        return pair.set_color(colour) if colour is not None else pair

    @staticmethod
    def _strength_of(weights: np.ndarray, j: int) -> float:
        """How strongly value ``j`` is drawn: by its weight, the heaviest fully."""
        return 0.25 + 0.75 * min(float(weights[j]) / max(float(weights.max()), 1e-9), 1.0)

    def _strength(self, marks: dict[int, VGroup], weights: np.ndarray) -> list:
        """Each value drawn as strongly as the query weights it."""
        return [
            mark.animate.set_opacity(self._strength_of(weights, j)) for j, mark in marks.items()
        ]

    def _pulls(self, board: Board, V: np.ndarray, weights: np.ndarray, end: np.ndarray) -> VGroup:
        """A line from the output to each value, as strong as the value's weight."""
        pulls = VGroup(
            *(
                Line(
                    end,
                    board.plane.reach(v, end),
                    stroke_color=ROLE["weights"],
                    stroke_width=1.5 + 3.0 * self._strength_of(weights, j),
                    stroke_opacity=self._strength_of(weights, j),
                )
                for j, v in enumerate(V)
            )
        )
        return pulls.set_z_index(-1)

    def _landing(
        self,
        board: Board,
        start: np.ndarray,
        end: np.ndarray,
        colour,
        key: str,
        beside: np.ndarray | None = None,
    ) -> Landing:
        """The word's point at its output ``end``, the trail from ``start``, and its name
        placed there (with its coordinates in a plane of two entries); ``beside``: an earlier
        landing, joined to this one by a short line, the names pushed apart."""
        q, spots = board.query, board.spots
        dot = Dot(end, radius=0.1, color=colour).set_z_index(2)
        trail = Line(start, end, stroke_color=colour, stroke_width=4, stroke_opacity=0.8)
        spots.block_line(start, end)
        link = None
        if beside is not None and np.linalg.norm(end - beside) > 0.02:
            link = Line(beside, end, stroke_color=MUTED, stroke_width=2.5)
            spots.block_line(beside, end)
        spots.block_dot(end)
        side = "swap.tokens" if key.endswith("_swap") else "tokens"
        name = self.num.token(q, side, font_size=PLANE_LABEL, color=colour)
        if not board.projected:
            name = VGroup(name, self._pair(key, q)).arrange(DOWN, buff=0.05)
        away = end - beside if beside is not None else end - start
        if np.linalg.norm(away) < 1e-6:
            away = end - board.plane.origin
        if not spots.place(name, end, away, required=True):
            name = VGroup()  # no room anywhere in the plane: unnamed
        return Landing(start, dot, trail, name, link)

    def _land(self, landing: Landing) -> None:
        """The word's point slides from its start to its landing, leaving its trail, and is
        named there."""
        dot, end = landing.dot, landing.dot.get_center()
        self.add(dot.move_to(landing.start))
        moving = [dot.animate.move_to(end)]
        if np.linalg.norm(end - landing.start) > 0.02:
            moving.append(Create(landing.trail))
        self.play(*moving, run_time=2.0)
        link = [Create(landing.link)] if landing.link is not None else []
        self.play(FadeIn(landing.name), *link, run_time=0.6)

    def _panel(self, board: Board) -> Panel:
        """Key | bar | weight: the followed query's weights, one line per key token (and the
        bars again, thinner, for when the swapped sentence's stand beside them)."""
        q, S = board.query, len(self.trace.key_tokens)
        top, bottom = PLANE_HI[1], PLANE_LO[1]
        header = VGroup(
            Text(
                _WORDS["weights_of"][self.language],
                font=FONT,
                font_size=LABEL_SIZE * 0.8,
                color=MUTED,
                disable_ligatures=True,
            ),
            self.num.token(q, font_size=LABEL_SIZE * 0.8, color=ROLE["Q"]),
        ).arrange(RIGHT, buff=0.15)
        fit(header, RIGHT_EDGE - PANEL_LEFT, 0.5)
        header.move_to([(PANEL_LEFT + RIGHT_EDGE) / 2, top - 0.2, 0.0])
        head = MathTex("a", font_size=LABEL_SIZE, color=ROLE["weights"]).move_to(
            [COLUMNS[0], top - 0.75, 0.0]
        )
        first = top - 1.1
        pitch = min(0.72, (first - bottom) / S)
        rows = [first - pitch * (j + 0.5) for j in range(S)]
        most = max(float(board.weights.max()), 1e-9)
        if board.swap_weights is not None:
            most = max(most, float(board.swap_weights.max()))
        panel = Panel(header, head, [], [], [], rows, pitch, BAR_WIDTH / most)
        key = f"heads.{self.head}.weights"
        for j, y in enumerate(rows):
            label = self.num.token(j, "key_tokens", font_size=LABEL_SIZE * 0.8, color=ROLE["K"])
            fit(label, LABEL_RIGHT - PANEL_LEFT, pitch * 0.85)
            panel.labels.append(label.move_to([LABEL_RIGHT - label.width / 2, y, 0.0]))
            panel.bars.append(self._bar(panel, key, j, y, ROLE["weights"], 0.55))
            panel.thin.append(self._bar(panel, key, j, y + pitch * 0.17, ROLE["weights"], 0.3))
            number = self.num.value(key, q, j, font_size=NUMBER_SIZE, coloured=False)
            fit(number, 0.85, pitch * 0.8)
            panel.numbers.append(number.set_color(ROLE["weights"]).move_to([COLUMNS[0], y, 0.0]))
        return panel

    def _bar(self, panel: Panel, key: str, j: int, y: float, colour, thick: float) -> TraceBar:
        """The followed query's weight on key ``j`` as a bar on the panel's zero line, ``thick``
        times a line's pitch."""
        bar = self.num.bar(
            key,
            int(lookup(self.trace, "contrast.query")),
            j,
            unit=panel.unit,
            thickness=panel.pitch * thick,
            colour=colour,
            opacity=0.9,
        )
        return bar.on([BAR_LEFT, y, 0.0])

    def _second_column(self, board: Board) -> Column:
        """The swapped sentence's weights beside the first ones, and the swapped key's name
        turned into ``old → new``."""
        q, s, panel = board.query, board.swapped, board.panel
        key = f"swap.heads.{self.head}.weights"
        head = MathTex("a'", font_size=LABEL_SIZE, color=SWAP)
        column = Column(head.move_to([COLUMNS[1], panel.head.get_y(), 0.0]))
        for j, y in enumerate(panel.rows):
            column.bars.append(self._bar(panel, key, j, y - panel.pitch * 0.17, SWAP, 0.3))
            number = self.num.value(key, q, j, font_size=NUMBER_SIZE, coloured=False)
            fit(number, 0.85, panel.pitch * 0.8)
            column.numbers.append(number.set_color(SWAP).move_to([COLUMNS[1], y, 0.0]))
        size = LABEL_SIZE * 0.8
        column.label = VGroup(
            self.num.token(s, "key_tokens", font_size=size, color=MUTED),
            MathTex(r"\to", font_size=size, color=MUTED),
            self.num.token(s, "swap.tokens", font_size=size, color=SWAP),
        ).arrange(RIGHT, buff=0.08)
        fit(column.label, LABEL_RIGHT - PANEL_LEFT, panel.pitch * 0.85)
        column.label.move_to([LABEL_RIGHT - column.label.width / 2, panel.rows[s], 0.0])
        return column

    def _inset(self, board: Board) -> VGroup | None:
        """A magnified view round two landings too close to tell apart at the plane's scale:
        the values' shafts, both trails and the line between the landings, clipped to a small
        square that a thin line joins to the view (under it, in a projection, both landings'
        coordinates); None if they are far enough apart (or at one point), or if the plane has
        no free room for it."""
        first, second = board.landing.dot.get_center(), board.second.dot.get_center()
        gap = float(np.linalg.norm(second - first))
        if not 1e-4 < gap < CLOSE:
            return None
        centre, half = (first + second) / 2, 1.25 * gap  # half the magnified square's side
        pairs = VGroup()
        if board.projected:  # the plane's own numbers say how far apart they are
            pairs = VGroup(
                self._pair("contrast.output", board.query, ROLE["output"]),
                self._pair("contrast.output_swap", board.query, SWAP),
            ).arrange(DOWN, buff=0.12)
            fit(pairs, INSET, 1.0)
        strip = pairs.height + 0.15 if board.projected else 0.0
        where = self._free_view(board.spots, centre, half, (INSET, INSET + strip))
        if where is None:
            return None
        where = where + UP * strip / 2  # the view's centre, the coordinates under it
        pairs.next_to(where + DOWN * INSET / 2, DOWN, buff=0.12)
        zoom = INSET / (2 * half)
        lo, hi = centre[:2] - half, centre[:2] + half

        def view(p: np.ndarray) -> np.ndarray:
            return where + np.array([*((p[:2] - centre[:2]) * zoom), 0.0])

        plane = board.plane
        segments = [
            (plane.origin, plane.at(v), SWAP if j == board.swapped else ROLE["V"], 3.0)
            for j, v in enumerate(lookup_array(self.trace, "contrast.V_swap"))
        ]
        for landing, colour in ((board.landing, ROLE["output"]), (board.second, SWAP)):
            trail = landing.trail
            segments.append((trail.get_start(), trail.get_end(), colour, 4.0))
        segments.append((first, second, MUTED, 2.5))
        view_box = Square(INSET, stroke_color=MUTED, stroke_width=2)
        view_box.set_fill(BACKGROUND, opacity=1).move_to(where)
        inside = VGroup()
        for a, b, colour, width in segments:
            piece = _clip(a[:2], b[:2], lo, hi)
            if piece is not None:
                inside.add(Line(view(piece[0]), view(piece[1]), color=colour, stroke_width=width))
        inside.add(
            Dot(view(first), radius=0.1, color=ROLE["output"]),
            Dot(view(second), radius=0.1, color=SWAP),
        )
        marker = Square(max(2 * half, 0.12), stroke_color=MUTED, stroke_width=1.5).move_to(centre)
        joint = Line(centre, where, stroke_color=MUTED, stroke_width=1.5)
        return VGroup(
            joint.set_z_index(3),
            view_box.set_z_index(4),
            inside.set_z_index(5),
            marker.set_z_index(3),
            pairs,
        )

    @staticmethod
    def _free_view(
        spots: Spots, centre: np.ndarray, half: float, size: tuple[float, float]
    ) -> np.ndarray | None:
        """Where in the plane a view of ``size`` (its centre) covers no label, nor the square
        it magnifies, and, if it can, no arrow, joined to that square by a line that crosses no
        label: the free place nearest ``centre``."""
        r = np.array(size) / 2 + 0.05
        xs = np.arange(PLANE_LO[0] + r[0], PLANE_HI[0] - r[0], 0.15)
        ys = np.arange(PLANE_LO[1] + r[1], PLANE_HI[1] - TITLE_BAND - r[1], 0.15)
        mark_lo, mark_hi = centre[:2] - half - 0.1, centre[:2] + half + 0.1
        places = sorted(
            (np.array([x, y, 0.0]) for x in xs for y in ys),
            key=lambda p: float(np.linalg.norm(p - centre)),
        )
        for strict in (True, False):
            for p in places:
                lo, hi = p[:2] - r, p[:2] + r
                if (np.minimum(hi, mark_hi) - np.maximum(lo, mark_lo) > 0).all():
                    continue
                if not spots.fits(lo, hi, over_arrows=not strict):
                    continue
                if strict and spots.crossed(centre, p):
                    continue
                return p
        return None


def _turn_into(old: VMobject, new: VMobject) -> list:
    """``old`` becomes ``new``: it slides there when it is the same (texts, sizes, colours)
    and near; else it fades out as ``new`` fades in: text never morphs into other text, nor
    flies across the picture."""
    near = np.linalg.norm(old.get_center() - new.get_center()) < 0.6
    if near and signature([old.copy().move_to(new)]) == signature([new]):
        return [ReplacementTransform(old, new)]
    return [FadeOut(old), FadeIn(new)]


def _turn_into_each(old: dict, new: dict, keep: int) -> list:
    """Each ``old[j]`` becomes ``new[j]`` (see ``_turn_into``); the others fade out or in;
    ``old[keep]`` stays."""
    changes = [FadeOut(m) for j, m in old.items() if j not in new and j != keep]
    for j, mob in new.items():
        changes += _turn_into(old[j], mob) if j in old and j != keep else [FadeIn(mob)]
    return changes


def _fit(points: np.ndarray) -> tuple[float, np.ndarray]:
    """The scale (scene units per unit) and the origin's place on screen that make ``points``
    and the origin fill the plane, room left round them for labels and above for the title."""
    lo = np.minimum(points.min(axis=0), 0.0)
    hi = np.maximum(points.max(axis=0), 0.0)
    box_lo = PLANE_LO[:2] + LABEL_ROOM
    box_hi = PLANE_HI[:2] - np.array([LABEL_ROOM, TITLE_BAND + LABEL_ROOM * 0.6])
    unit = float(min(((box_hi - box_lo) / np.maximum(hi - lo, 1e-6)).min(), 4.0))
    centre = (box_lo + box_hi) / 2 - (lo + hi) / 2 * unit
    return unit, np.array([centre[0], centre[1], 0.0])


def _clip(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """The part of segment a-b inside the box lo..hi (Liang-Barsky), or None."""
    d, t0, t1 = b - a, 0.0, 1.0
    for k in range(2):
        if abs(d[k]) < 1e-12:
            if not lo[k] <= a[k] <= hi[k]:
                return None
            continue
        ta, tb = (lo[k] - a[k]) / d[k], (hi[k] - a[k]) / d[k]
        t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
    return (a + t0 * d, a + t1 * d) if t0 < t1 else None
