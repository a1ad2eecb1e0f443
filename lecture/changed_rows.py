"""A frame is converted to the video's pixels only where it changed.

An encoder takes yuv420p, manim draws RGBA, and every frame of an animation was converted whole:
about 3.4 ms of CPU at 1080p, plus 1.1 ms to copy the picture into a frame first. Between two
frames of an animation most rows stay as they were (a number flies, a bar grows, a caption
fades in): at 1080p60, in Softmax, MultiHead and Scores, the median frame changed 5% of its rows
and the mean frame 17%, and one in ten was exactly the frame before it. So ``ChangedRows``
keeps the last picture and its conversion, finds the rows that differ (one comparison of the
two pictures, 0.3 ms) and converts only those bands, each with a margin of rows that is thrown
away, because the 2:1 chroma filter reads a row beyond the pair it averages. The result is
what converting the whole picture gives, byte for byte (tests/test_changed_rows.py), and a
picture that did not change is the same frame again, not converted at all.
"""

from __future__ import annotations

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

__all__ = ["ChangedRows"]

Picture = npt.NDArray[np.uint8]  # (height, width, 4) RGBA

_FORMAT = "yuv420p"  # the only target converted band by band; others whole, as before
_ALIGN = 8  # a band starts and ends on a multiple of 8 rows
_MARGIN = 8  # rows converted beyond each side of a band and thrown away (the filter needs 2)
_GAP = 64  # changed rows closer than this are one band: one conversion costs about 0.1 ms


class ChangedRows:
    """Converts RGBA pictures of one size, in order, to ``pix_fmt`` frames of that size."""

    def __init__(self, width: int, height: int, pix_fmt: str) -> None:
        self.width, self.height, self.pix_fmt = width, height, pix_fmt
        # one converter kept for every band: a new one sets its filters up again (0.8 ms)
        self._reformatter = VideoReformatter()
        self._pixels: Picture | None = None  # the last picture
        self._planes: np.ndarray | None = None  # its conversion: (height * 3 / 2, width)
        self._frame: av.VideoFrame | None = None  # the frame over those planes

    def convert(self, pixels: Picture) -> av.VideoFrame:
        """``pixels``: (height, width, 4) uint8 RGBA, C-contiguous, not changed afterwards
        (manim hands the encoder a picture it no longer touches). The frame returned is never
        written again: the encoder may still hold it."""
        if not self._by_rows(pixels):  # another format or size: whole, as PyAV converts
            whole = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
            return self._reformatter.reformat(
                whole, width=self.width, height=self.height, format=self.pix_fmt
            )
        if self._pixels is None or self._planes is None or self._frame is None:
            planes = np.empty((self.height * 3 // 2, self.width), np.uint8)
            bands = [(0, self.height)]
        else:
            bands = _bands(_changed(self._pixels, pixels), self.height)
            if not bands:
                self._pixels = pixels
                return self._frame
            planes = self._planes.copy()  # the last frame stays as the encoder got it
        for top, bottom in bands:
            self._convert_band(pixels, top, bottom, planes)
        self._pixels, self._planes = pixels, planes
        self._frame = av.VideoFrame.from_numpy_buffer(planes, format=_FORMAT)
        return self._frame

    def _by_rows(self, pixels: Picture) -> bool:
        return (
            self.pix_fmt == _FORMAT
            and pixels.shape == (self.height, self.width, 4)
            and self.width % 2 == 0
            and self.height % 4 == 0  # the chroma planes fill whole rows of ``planes``
        )

    def _convert_band(self, pixels: Picture, top: int, bottom: int, planes: np.ndarray) -> None:
        """Convert rows [top, bottom) of ``pixels`` into ``planes``; both are even."""
        height, width = self.height, self.width
        above, below = max(0, top - _MARGIN), min(height, bottom + _MARGIN)
        band = av.VideoFrame.from_numpy_buffer(pixels[above:below], format="rgba")
        # one thread: a band is small, and threads cost more to start than they save
        done = self._reformatter.reformat(band, format=_FORMAT, threads=1)
        y, u, v = (_rows_of(plane) for plane in done.planes)
        planes[top:bottom] = y[top - above : bottom - above]
        chroma = (height // 2, width // 2)
        u_plane = planes[height : height * 5 // 4].reshape(chroma)
        v_plane = planes[height * 5 // 4 :].reshape(chroma)
        rows = slice((top - above) // 2, (bottom - above) // 2)
        u_plane[top // 2 : bottom // 2] = u[rows]
        v_plane[top // 2 : bottom // 2] = v[rows]


def _rows_of(plane: av.video.plane.VideoPlane) -> np.ndarray:
    """A plane as (rows, width), without the padding at each row's end."""
    rows: np.ndarray = np.frombuffer(memoryview(plane), np.uint8)
    return rows.reshape(plane.height, plane.line_size)[:, : plane.width]


def _changed(before: Picture, after: Picture) -> np.ndarray:
    """Indices of the rows that differ, compared 8 bytes (two pixels) at a time."""
    height = before.shape[0]
    a = before.reshape(height, -1).view(np.uint64)  # (height, width / 2)
    b = after.reshape(height, -1).view(np.uint64)
    return np.flatnonzero((a != b).any(axis=1))


def _bands(rows: np.ndarray, height: int) -> list[tuple[int, int]]:
    """The row ranges [top, bottom) to convert again for changed ``rows`` (sorted): each run
    widened so that the chroma rows the run touches are inside, and aligned to _ALIGN."""
    if rows.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(rows) > _GAP)
    firsts = [int(rows[0]), *(int(r) for r in rows[breaks + 1])]
    lasts = [*(int(r) for r in rows[breaks]), int(rows[-1])]
    bands: list[tuple[int, int]] = []
    for first, last in zip(firsts, lasts, strict=True):
        # a chroma row averages rows 2j and 2j + 1 and reads one more on each side; widened
        # by two rows more each way, to spare the proof a row
        top = max(0, (first - 4) // _ALIGN * _ALIGN)
        bottom = min(height, -(-(last + 5) // _ALIGN) * _ALIGN)
        if bands and top <= bands[-1][1]:
            bands[-1] = (bands[-1][0], bottom)
        else:
            bands.append((top, bottom))
    return bands
