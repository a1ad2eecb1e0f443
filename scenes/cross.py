"""Part 2 (T12): cross-attention, queries from one sentence, keys and values from another.

Every lesson shows it with real numbers: the ``pair`` companion puts the lesson's sentence (the
queries) against the config's second sentence (the keys and values) through the lesson's own
weights; a lesson already run as cross-attention is its own pair. The two sentences and what
each feeds; the T × S pattern of weights; one query's row followed to its weighted sum of the
other sentence's values. With seeded (random) or hand-typed weights the pattern means nothing,
and the captions say so; a pretrained encoder never attends across sentences, so there it is a
what-if with the layer's own weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    VMobject,
    Write,
    config,
    linear,
)

from qkv import lookup, lookup_array
from qkv.derived import lookup_text
from scenes.kit.base import LessonScene
from scenes.kit.convention import ONE_OUTPUT, Convention
from scenes.kit.layout import (
    CAPTION_TOP,
    CONTENT_WIDTH,
    FRAME_TOP,
    GRID_CELL,
    GRID_CELL_FEW,
    MARGIN,
)
from scenes.kit.provenance import Numbers, TraceNumber
from scenes.kit.style import BACKGROUND, FRAME_LINE, LABEL_SIZE, MUTED, ROLE
from scenes.kit.widgets import (
    GridIndex,
    TraceMatrix,
    fit,
    fit_in_slots,
    highlight,
    in_reading_order,
    role_formula,
    shape_label,
    stagger,
)

__all__ = ["Cross"]

PAIR = "pair."  # every quantity of this scene is the cross-attention companion's
GROWTH = 1.5  # how much a small panel may grow to fill its side of the frame
BRIGHT = 0.6  # a weight's cell filled more than this shows its number dark
COMPONENTS = 4  # value components one query's sum shows before the rest are elided
ALL_COMPONENTS = 8  # ... and all the outputs together


@dataclass
class Sentences:
    """The two sentences as boxed tokens, and what each feeds (Q; K and V)."""

    queries: VGroup  # the lesson's sentence: a box (frame, token) per token
    keys: VGroup  # the other sentence
    feeds: VGroup


@dataclass
class Pattern:
    """What the later beats point at: the T × S grid of weights, its shape label, the query
    followed and the panel where its output is added up."""

    grid: PairGrid
    shape: VGroup
    query: int
    panel: Panel
    room: VMobject  # an empty box: the part of the frame right of the grid
    # a few queries' short grid sits at the top, the outputs come under it (the panel stays)
    under: VMobject | None = None  # then: the empty box under the grid


class Cross(LessonScene):
    captions = {
        "what_if": {
            "en": "An encoder never does this: here is a what-if, with this layer's weights",
            "zh": "编码器从不这样做：这里用这一层的权重做个假设",
            "ru": "Кодировщик так не делает: это опыт «что, если» с весами этого слоя",
        },
        "queries": {
            "en": "Cross-attention: the queries come from one sentence",
            "zh": "交叉注意力：查询来自一个句子",
            "ru": "Перекрёстное внимание: запросы берутся из одного предложения",
        },
        "keys": {
            "en": "The keys and the values come from another sentence",
            "zh": "键和值来自另一个句子",
            "ru": "Ключи и значения берутся из другого предложения",
        },
        "pattern_rows": {
            "en": "One row per query, one column per token of the other sentence",
            "zh": "每个查询一行，另一个句子的每个词元一列",
            "ru": "Строка на каждый запрос, столбец на каждый токен другого предложения",
        },
        "pattern_columns": {
            "en": "One column per query, one row per token of the other sentence",
            "zh": "每个查询一列，另一个句子的每个词元一行",
            "ru": "Столбец на каждый запрос, строка на каждый токен другого предложения",
        },
        "random": {
            "en": "In a trained translator this pattern would mean something; "
            "here the weights are random",
            "zh": "在训练好的翻译模型里，这个图案才有含义；这里的权重是随机的",
            "ru": "У обученного переводчика этот узор имел бы смысл; здесь веса случайны",
        },
        "typed": {
            "en": "These weights are typed in by hand, not trained: this pattern is no translation",
            "zh": "这些权重是手工写入的，没有训练过：这个图案不是翻译",
            "ru": "Эти веса заданы вручную, а не обучены: эта картина — не перевод",
        },
        "self_trained": {
            "en": "These weights were trained for self-attention: this pattern is no translation",
            "zh": "这些权重是为自注意力训练的：这个图案不是翻译",
            "ru": "Эти веса обучены для самовнимания: эта картина — не перевод",
        },
        "follow": {
            "en": 'Follow "{0}": one weight for each token of the other sentence',
            "zh": "看“{0}”：另一个句子的每个词元各有一个权重",
            "ru": "Возьмём «{0}»: по весу на каждый токен другого предложения",
        },
        "outputs": {
            "en": "One output per query: as many as the tokens of the first sentence",
            "zh": "每个查询一个输出：数量和第一个句子的词元一样多",
            "ru": "По выходу на каждый запрос: столько же, сколько токенов в первом предложении",
        },
        "sum": {
            "en": "Its output: the other sentence's values, each scaled by its weight, added up",
            "zh": "它的输出：另一个句子的值向量，各乘以权重，再相加",
            "ru": "Его выход: значения другого предложения, умноженные на веса и сложенные",
        },
    }

    def construct(self) -> None:
        """Where Q, K and V come from; the T × S pattern they make; one query's output."""
        view = Convention.of(self.trace)
        sentences = self.show_two_sentences_feeding_queries_and_keys(view)
        self.say_it_is_a_what_if()
        pattern = self.lay_out_the_pattern(view)
        self.show_the_pattern(pattern, sentences)
        self.say_what_the_pattern_is_not()
        self.follow_one_query(pattern)
        self.add_up_its_values(pattern)
        self.every_query_gets_an_output(pattern, view)
        self.end_on(self.closing_picture())

    def closing_picture(self) -> VGroup:
        """The pattern, the query followed framed, beside every query's output (the followed
        one's framed too): laid out by the beats' own code."""
        view = Convention.of(self.trace)
        pattern = self.lay_out_the_pattern(view)
        outputs = self.lay_out_the_outputs(pattern, view)
        return VGroup(
            pattern.grid,
            query_frame(pattern.grid, pattern.query),
            *([] if pattern.under is None else [pattern.panel.whole()]),
            outputs.whole,
            outputs.frame(pattern.query),
        )

    @property
    def source(self) -> str:
        """Where the weights come from: seeded (random), explicit (typed in) or minilm."""
        return str(self.trace.config["source"])

    # -- the beats ------------------------------------------------------------------------

    def say_it_is_a_what_if(self) -> None:
        """A pretrained encoder never attends across sentences: this is a what-if."""
        if self.source == "minilm":
            self.say("what_if")
            self.hold()

    def show_two_sentences_feeding_queries_and_keys(self, view: Convention) -> Sentences:
        """Q comes from the lesson's sentence; K and V from the other one."""
        top = token_boxes(self.num, PAIR + "tokens", ROLE["Q"])
        bottom = token_boxes(self.num, PAIR + "key_tokens", ROLE["K"])
        q, k, v = feeds(self.num, view)
        kv = VGroup(k, v).arrange(DOWN, buff=0.35)
        left = -config.frame_width / 2 + MARGIN
        for row, y in ((top, 2.2), (bottom, -0.6)):
            fit(row, 8.2, 1.0).move_to([left + 4.1, y, 0])
        q.move_to([left + 8.7, 2.2, 0], aligned_edge=LEFT)
        kv.move_to([left + 8.7, -0.6, 0], aligned_edge=LEFT)
        # the picture first (it takes over from the scene before), then what it says
        self.play(FadeIn(top), FadeIn(q, shift=DOWN * 0.2))
        self.say("queries")
        self.hold()
        self.play(FadeIn(bottom), FadeIn(kv, shift=UP * 0.2))
        self.say("keys")
        self.hold()
        return Sentences(top, bottom, VGroup(q, kv))

    def lay_out_the_pattern(self, view: Convention) -> Pattern:
        """The weights' grid on the left half (T rows of queries, S columns of the other
        sentence's tokens), the followed query's panel in the room on the right."""
        few = max(self.num.shape(f"{PAIR}heads.{self.head}.weights")) <= 4
        cell = GRID_CELL_FEW if few else GRID_CELL  # big cells for a few tokens
        grid = PairGrid(self.num, self.head, cell=cell, transpose=view.turned())
        top, bottom = FRAME_TOP - 0.35, CAPTION_TOP + 0.25
        grow(grid, VGroup(Rectangle(width=CONTENT_WIDTH * 0.5, height=top - bottom)))
        left = -config.frame_width / 2 + MARGIN
        grid.move_to([left + grid.width / 2, (top + bottom) / 2, 0])
        under = None
        if grid.height < (top - bottom) * 0.45:  # short: at the top, the outputs under it
            grid.set_y(top - grid.height / 2)
            height = grid.get_bottom()[1] - 0.5 - bottom
            under = VGroup(Rectangle(width=CONTENT_WIDTH * 0.5, height=height))
            under.move_to([left + CONTENT_WIDTH * 0.25, bottom + height / 2, 0])
        i = int(lookup(self.trace, f"{PAIR}heads.{self.head}.focus_query"))
        panel = Panel.build(self.num, self.head, view, i)
        right = config.frame_width / 2 - MARGIN
        room_w = right - grid.get_right()[0] - 0.6
        room = VGroup(Rectangle(width=room_w, height=top - bottom))  # the panel's side, empty
        room.move_to([right - room_w / 2, (top + bottom) / 2, 0])
        grow(panel.whole(), room).move_to(room)
        tex = ("S", "T") if view.columns else ("T", "S")
        shape = shape_label(self.num, *(PAIR + f"dims.{d}" for d in tex), *tex).scale(1.3)
        shape.move_to(panel.whole()).set_y(grid.squares.get_y())
        return Pattern(grid, shape, i, panel, room, under)

    def lay_out_the_outputs(self, pattern: Pattern, view: Convention) -> Outputs:
        """Every query's output, in the room right of the grid."""
        outputs = Outputs.build(self.num, self.head, view)
        room = pattern.room if pattern.under is None else pattern.under
        grow(outputs.whole, room).move_to(room)
        return outputs

    def show_the_pattern(self, pattern: Pattern, sentences: Sentences) -> None:
        """The sentences' tokens become the grid's rows and columns; then its weights."""
        grid = pattern.grid
        queries = grid.col_labels if grid.transpose else grid.row_labels
        keys = grid.row_labels if grid.transpose else grid.col_labels
        self.play(
            *(
                ReplacementTransform(box[1], label)
                for row, labels in ((sentences.queries, queries), (sentences.keys, keys))
                for box, label in zip(row, labels, strict=True)
            ),
            FadeOut(VGroup(*(box[0] for box in (*sentences.queries, *sentences.keys)))),
            FadeOut(sentences.feeds),
            run_time=1.2,
        )
        self.say("pattern_columns" if grid.transpose else "pattern_rows")
        self.play(Create(grid.squares), run_time=1.2)
        self.play(Write(pattern.shape))
        self.hold()

    def say_what_the_pattern_is_not(self) -> None:
        """Random, hand-typed or self-attention weights: this pattern is no translation."""
        if self.source == "seeded":
            self.say("random")
        elif self.source == "explicit":
            self.say("typed")
        else:
            self.say("self_trained")
        self.hold()

    def follow_one_query(self, pattern: Pattern) -> None:
        """One query's line of weights, again beside the other sentence's values."""
        grid, panel, i = pattern.grid, pattern.panel, pattern.query
        self.play(Create(query_frame(grid, i)), FadeOut(pattern.shape))
        self.say("follow", (PAIR + "tokens", i))
        self.play(Write(panel.formula), FadeIn(panel.labels), FadeIn(panel.values))
        # the weights appear in place (flown over, they would cross the grid's other numbers)
        self.play(  # the shades first: drawn later, they would cover their numbers
            *(FadeIn(s) for s in panel.shades),
            *(FadeIn(w, shift=RIGHT * 0.2) for w in panel.weights.values()),
            run_time=1.2,
        )
        self.hold()

    def add_up_its_values(self, pattern: Pattern) -> None:
        """Each value scaled by its weight and added: every frame shows a real partial sum."""
        panel, i = pattern.panel, pattern.query
        key = f"{PAIR}heads.{self.head}.output_partial"
        for k, number in panel.outs.items():
            number.show(key, (i, k, 0))
        self.say("sum")
        self.play(Create(panel.rule), FadeIn(panel.out), FadeIn(panel.out_label))
        adding = min(0.35 * len(panel.lines) + 0.8, 4.0)
        shown = [j for j in panel.lines if j is not None]
        self.play(
            *(
                self.num.count_up(
                    n, key, (i, k), shown=panel.lines, rate_func=linear, run_time=adding
                )
                for k, n in panel.outs.items()
            ),
            LaggedStart(
                *(Indicate(panel.line(j), color=ROLE["weights"], scale_factor=1.05) for j in shown),
                lag_ratio=1.0,
                run_time=adding,
            ),
        )
        self.hold()

    def every_query_gets_an_output(self, pattern: Pattern, view: Convention) -> None:
        """All the outputs, a line per query: T of them, whatever the other sentence's length."""
        panel, i = pattern.panel, pattern.query
        outputs = self.lay_out_the_outputs(pattern, view)
        # our output's components move to their places; everything else fades in around them
        landing = {}
        for rc, entry in outputs.matrix.entries.items():
            q, k = outputs.matrix.index_of(*rc)
            if q == i and k in panel.outs:
                landing[k] = entry
        self.say("outputs")
        if pattern.under is None:  # the outputs take the panel's place: it goes
            self.play(FadeOut(VGroup(*panel.parts_but_output())), FadeOut(panel.out_label))
            moves = [
                *(ReplacementTransform(panel.outs[k], entry) for k, entry in landing.items()),
                *(FadeOut(m) for k, m in panel.outs.items() if k not in landing),
                FadeOut(
                    VGroup(
                        *(m for m in panel.out.matrix.get_entries() if m not in panel.outs.values())
                    )
                ),
                FadeOut(panel.out.matrix.get_brackets()),
            ]
        else:  # under the grid, the panel beside them: its output copied down
            moves = [TransformFromCopy(panel.outs[k], entry) for k, entry in landing.items()]
        self.play(
            *moves,
            FadeIn(outputs.heading),
            FadeIn(outputs.names),
            Create(outputs.matrix.matrix.get_brackets()),
            run_time=1.2,
        )
        landed = list(landing.values())
        others = [m for m in outputs.matrix.matrix.get_entries() if m not in landed]
        if others:  # a one-token sentence has no other output
            self.play(LaggedStart(*(FadeIn(m) for m in others), lag_ratio=0.02), run_time=1.0)
        # our query's output, framed like its weights in the grid
        self.play(Create(outputs.frame(i)), run_time=0.6)
        self.hold()


def query_frame(grid: PairGrid, i: int) -> VMobject:
    """The frame round query ``i``'s weights and its token in the grid (the weights alone when
    the token is wider than its column: framed with it, the frame would cut its neighbours)."""
    line, label = grid.query_line(i), grid.query_label(i)
    framed = VGroup(line, label) if label.width <= line.width else line
    return highlight(framed, ROLE["Q"])


def legible(number: TraceNumber, cell: VMobject) -> TraceNumber:
    """A dark number on a brightly filled cell: white on bright orange is hard to read."""
    if cell.get_fill_opacity() > BRIGHT:
        number.set_color(BACKGROUND)
    return number


def grow(mob: VMobject, room: VMobject) -> VMobject:
    """Scale ``mob`` to fit ``room``'s size: a small one grows by half at most."""
    return mob.scale(min(GROWTH, room.width / mob.width, room.height / mob.height))


# -- what the scene draws: the pair's tokens, feeds, grid and one query's panel -------------


def pair_count(num: Numbers, side: str) -> int:
    """How many tokens a side of the pair has: T for ``pair.tokens``, S for the other."""
    return int(lookup(num.trace, PAIR + ("dims.T" if side == PAIR + "tokens" else "dims.S")))


def pair_labels(
    num: Numbers, side: str, colour, *, font_size: float = LABEL_SIZE, max_width: float = 2.4
) -> VGroup:
    """All tokens of one side of the pair at one common size, the widest at most ``max_width``."""
    labels = VGroup(
        *(
            num.token(j, side, font_size=font_size, color=colour)
            for j in range(pair_count(num, side))
        )
    )
    widest = max(lab.width for lab in labels)
    if widest > max_width:
        labels.scale(max_width / widest)  # one factor for all: equal words stay equal
    return labels


def token_boxes(num: Numbers, side: str, colour) -> VGroup:
    """The tokens of a side of the pair, each in a box of its role's colour, in reading order."""
    boxes = VGroup()
    labels = pair_labels(num, side, ROLE["X"], font_size=34, max_width=10.0)
    for label in labels:
        frame = SurroundingRectangle(
            label, color=colour, buff=0.12, corner_radius=0.08, stroke_width=2
        )
        boxes.add(VGroup(frame, label))
    sentence = PAIR + ("sentence" if side == PAIR + "tokens" else "kv_sentence")
    return in_reading_order(boxes, lookup_text(num.trace, sentence), buff=0.25)


def feeds(num: Numbers, view: Convention) -> tuple[VGroup, VGroup, VGroup]:
    """Q from the lesson's sentence, K and V from the other (``X_kv``, or ``I_kv`` turned),
    each with its real shape."""
    kv = (r"\,I", r"\,I_{\text{kv}}") if view.columns else ("X", r"X_{\text{kv}}")
    sizes = {"T": PAIR + "dims.T", "S": PAIR + "dims.S"}
    sizes.update({d: PAIR + f"dims.{d}" for d in ("d_k", "d_v")})
    tex = {"d_k": "d_k", "d_v": "d_v", "T": "T", "S": "S"}

    def feed(role: str, formula: str, dims: tuple[str, str]) -> VGroup:
        rows, cols = dims[::-1] if view.columns else dims
        size = shape_label(num, sizes[rows], sizes[cols], tex[rows], tex[cols])
        written = MathTex(formula, font_size=LABEL_SIZE, color=ROLE[role])
        return VGroup(written, size).arrange(DOWN, buff=0.15).scale(1.2)

    return (
        feed("Q", view.tex("Q"), ("T", "d_k")),
        feed("K", view.tex("K").replace(*kv), ("S", "d_k")),
        feed("V", view.tex("V").replace(*kv), ("S", "d_v")),
    )


class PairGrid(GridIndex, VGroup):
    """The pair's weights as a grid of shaded cells, each showing its weight: the lesson's
    tokens (queries) on the rows and the other sentence's (keys) on the columns, turned round
    when ``transpose`` (the column-vector convention). The kit's TokenGrid, for a companion."""

    def __init__(self, num: Numbers, head: int, *, cell: float, transpose: bool) -> None:
        self.key, self.transpose = f"{PAIR}heads.{head}.weights", transpose
        n_q, n_k = num.shape(self.key)
        n_rows, n_cols = (n_k, n_q) if transpose else (n_q, n_k)
        weights = lookup_array(num.trace, self.key)
        self.cells: dict[tuple[int, int], VGroup] = {}
        self.values: dict[tuple[int, int], TraceNumber] = {}
        self.squares = VGroup()
        for r in range(n_rows):
            for c in range(n_cols):
                index = self.index_of(r, c)
                square = Square(side_length=cell, stroke_color=FRAME_LINE, stroke_width=1.5)
                # opacity grows with the weight (square root: small ones stay visible)
                square.set_fill(ROLE["weights"], opacity=0.9 * min(float(weights[index]), 1) ** 0.5)
                square.move_to(RIGHT * c * cell + DOWN * r * cell)
                value = num.value(self.key, *index, font_size=26 * cell / 0.9, coloured=False)
                legible(value, square)
                value.scale_to_fit_width(min(value.width, cell * 0.88)).move_to(square)
                self.values[(r, c)] = value
                self.cells[(r, c)] = VGroup(square, value)
                self.squares.add(self.cells[(r, c)])
        queries = pair_labels(num, PAIR + "tokens", ROLE["Q"])
        keys = pair_labels(num, PAIR + "key_tokens", ROLE["K"])
        self.row_labels, self.col_labels = (keys, queries) if transpose else (queries, keys)
        for r, label in enumerate(self.row_labels):
            label.next_to(self.cells[(r, 0)], LEFT, buff=0.2)
        staggered = fit_in_slots(self.col_labels, cell)
        for c, label in enumerate(self.col_labels):
            label.next_to(self.cells[(0, c)], UP, buff=0.18)
        if staggered:
            stagger(self.col_labels)
        super().__init__(self.squares, self.row_labels, self.col_labels)

    def query_line(self, i: int) -> VGroup:
        """The cells of query ``i``: a row, or a column when turned."""
        k = 1 if self.transpose else 0
        return self.line(self.cells, k, i)

    def query_label(self, i: int) -> VMobject:
        return (self.col_labels if self.transpose else self.row_labels)[i]


@dataclass
class Panel:
    """One query's weighted sum: the other sentence's values (a line each, named by its token),
    the query's weight beside each, and the output below (beside, turned)."""

    columns: bool
    formula: VMobject  # out_i = Σ_j a_ij v_j
    values: TraceMatrix  # V of the pair (turned in the columns convention)
    lines: list[int | None]  # the key tokens whose values are shown (None: a ⋮ or ⋯)
    weights: dict[int, TraceNumber]  # a_ij beside value j
    shades: VGroup  # a cell per weight, shaded by its size (as in the grid)
    labels: VGroup  # the key tokens naming the values
    out: TraceMatrix  # the output of query i (one line)
    outs: dict[int, TraceNumber]  # its components k, which count up
    out_label: VMobject  # the query's token, naming its output
    rule: Line  # under (beside) the values, as in a written sum

    @classmethod
    def build(cls, num: Numbers, head: int, view: Convention, i: int) -> Panel:
        """Query ``i``'s panel, laid out around the value matrix (nothing shown yet)."""
        columns, h = view.columns, f"{PAIR}heads.{head}"
        limits = {"max_rows": COMPONENTS, "max_cols": 12} if columns else {"max_cols": COMPONENTS}
        values = TraceMatrix(num, f"{h}.V", role="V", transpose=view.turned(), **limits)
        lines = values.col_ids if columns else values.row_ids
        band = values.col_band if columns else values.row_band
        out_dir = RIGHT if columns else DOWN  # where the output goes
        label_dir = UP if columns else LEFT  # where the weights and tokens go
        # a cell per weight, as wide as a number, no taller (wider) than a line of values
        rows = values.matrix.get_rows()
        pitch = rows[0].get_y() - rows[1].get_y() if len(rows) > 1 else 0.6
        width = min(0.85, values.col_pitch() * 0.92) if columns else 0.85
        height = 0.5 if columns else min(0.5, pitch * 0.9)
        weights, shades, names = {}, VGroup(), VGroup()
        key_labels = pair_labels(num, PAIR + "key_tokens", ROLE["K"], font_size=LABEL_SIZE * 0.8)
        for j in lines:
            if j is None:
                continue
            value = lookup(num.trace, f"{h}.weights", (i, j))
            shade = Rectangle(width=width, height=height, stroke_color=FRAME_LINE, stroke_width=1.5)
            shade.set_fill(ROLE["weights"], opacity=0.9 * min(value, 1.0) ** 0.5)
            shade.next_to(values.matrix, label_dir, buff=0.2)
            if columns:
                shade.match_x(band(j))
            else:
                shade.match_y(band(j))
            weight = legible(num.value(f"{h}.weights", i, j, coloured=False), shade)
            weight.scale_to_fit_width(min(weight.width, width * 0.88)).move_to(shade)
            weights[j], shades = weight, shades.add(shade)
            names.add(key_labels[j])
        staggered = columns and fit_in_slots(names, values.col_pitch())
        for name, shade in zip(names, shades, strict=True):
            name.next_to(shade, label_dir, buff=0.15)
        if staggered:
            stagger(names)
        out_limits = {"cols": [i], "max_rows": COMPONENTS} if columns else {"rows": [i], **limits}
        out = TraceMatrix(num, f"{h}.output", role="output", transpose=view.turned(), **out_limits)
        out.next_to(values, out_dir, buff=0.6)
        if columns:
            out.match_y(values)
        else:
            out.align_to(values, LEFT)
        outs = {out.index_of(r, c)[1]: n for (r, c), n in out.entries.items()}
        out_label = num.token(i, PAIR + "tokens", font_size=LABEL_SIZE * 0.8, color=ROLE["output"])
        out_label.scale_to_fit_width(min(out_label.width, 2.0))
        out_label.next_to(out, label_dir, buff=0.2)
        if columns:
            rule = (
                Line(UP, DOWN).scale_to_fit_height(values.height).next_to(values, RIGHT, buff=0.3)
            )
        else:
            rule = (
                Line(LEFT, RIGHT).scale_to_fit_width(values.width).next_to(values, DOWN, buff=0.3)
            )
            rule.align_to(values, LEFT)
        rule.set_stroke(MUTED, width=2)
        formula = role_formula(ONE_OUTPUT[columns], LABEL_SIZE * 1.2)
        body = VGroup(values, shades, names, out, out_label, rule)
        formula.next_to(body, UP, buff=0.4)
        return cls(
            columns,
            formula,
            values,
            lines,
            weights,
            shades,
            names,
            out,
            outs,
            out_label,
            rule,
        )

    def parts_but_output(self) -> list[VMobject]:
        """What goes when the output joins the others: all but the output and its name."""
        return [
            self.formula,
            self.values,
            self.shades,
            *self.weights.values(),
            self.labels,
            self.rule,
        ]

    def whole(self) -> VGroup:
        """Everything the panel will show, for fitting it into its room."""
        return VGroup(
            self.formula,
            self.values,
            self.shades,
            *self.weights.values(),
            self.labels,
            self.out,
            self.out_label,
            self.rule,
        )

    def line(self, j: int) -> VGroup:
        """Value ``j`` with its weight: what is scaled and added."""
        band = self.values.col_band(j) if self.columns else self.values.row_band(j)
        return VGroup(band, self.weights[j])


@dataclass
class Outputs:
    """Every query's output, a line each named by its token, under its name and shape."""

    columns: bool
    matrix: TraceMatrix
    names: VGroup
    heading: VGroup
    whole: VGroup

    @classmethod
    def build(cls, num: Numbers, head: int, view: Convention) -> Outputs:
        columns = view.columns
        wide = ALL_COMPONENTS
        limits = {"max_rows": wide, "max_cols": 12} if columns else {"max_cols": wide}
        matrix = TraceMatrix(
            num, f"{PAIR}heads.{head}.output", role="output", transpose=view.turned(), **limits
        )
        labels = pair_labels(num, PAIR + "tokens", ROLE["Q"], font_size=LABEL_SIZE * 0.8)
        shown = [k for k in (matrix.col_ids if columns else matrix.row_ids) if k is not None]
        names = VGroup(*(labels[k] for k in shown))
        staggered = columns and fit_in_slots(names, matrix.col_pitch())
        for k, name in zip(shown, names, strict=True):
            if columns:
                name.next_to(matrix.matrix, UP, buff=0.2).match_x(matrix.col_band(k))
            else:
                name.next_to(matrix.matrix, LEFT, buff=0.2).match_y(matrix.row_band(k))
        if staggered:
            stagger(names)
        tex = ("d_v", "T") if columns else ("T", "d_v")
        title = MathTex(
            "O" if columns else r"\mathrm{out}", font_size=LABEL_SIZE * 1.2, color=ROLE["output"]
        )
        size = shape_label(num, *(PAIR + f"dims.{d}" for d in tex), *tex)
        heading = VGroup(title, size).arrange(RIGHT, buff=0.3)
        heading.next_to(VGroup(matrix, names), UP, buff=0.35)
        return cls(columns, matrix, names, heading, VGroup(heading, names, matrix))

    def frame(self, i: int) -> VMobject:
        """The frame round query ``i``'s output, inside the brackets."""
        band = self.matrix.col_band(i) if self.columns else self.matrix.row_band(i)
        return highlight(band, ROLE["output"])
