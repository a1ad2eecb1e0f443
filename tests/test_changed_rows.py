"""A picture converted only where it changed (lecture/changed_rows.py) is, byte for byte, the
picture converted whole."""

from __future__ import annotations

import av
import numpy as np
import pytest

from lecture.changed_rows import ChangedRows


def whole(pixels: np.ndarray) -> np.ndarray:
    """What PyAV's encode makes of an RGBA picture: yuv420p planes as (height * 3 / 2, width)."""
    frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(format="yuv420p")
    return frame.to_ndarray()


def changes(height: int, width: int, seed: int) -> list[np.ndarray]:
    """A run of pictures as an animation makes them: a first picture, then edits of a row, of
    rows at every offset within 16 (the bands are aligned to 8), of blocks far apart, none, at
    both edges, and of everything."""
    rng = np.random.default_rng(seed)
    picture = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    pictures = [picture]

    def edit(rows: slice, columns: slice = slice(None)) -> None:
        nonlocal picture
        picture = picture.copy()  # the encoder owns every picture it was given
        block = picture[rows, columns]
        block[...] = rng.integers(0, 256, block.shape, dtype=np.uint8)
        pictures.append(picture)

    middle = height // 2 // 16 * 16
    for offset in range(16):
        edit(slice(middle + offset, middle + offset + 1), slice(width // 3, width // 3 + 40))
    edit(slice(10, 30))
    edit(slice(height - 70, height - 60))
    pictures.append(picture)  # the same picture again
    edit(slice(0, 1))
    edit(slice(height - 1, height))
    edit(slice(20, 22))
    pictures[-1][height - 30 : height - 20] = 7  # a second, distant band in the same frame
    edit(slice(None))
    return pictures


@pytest.mark.parametrize("width, height", [(1920, 1080), (854, 480)])
def test_converted_by_rows_is_converted_whole(width, height):
    converter = ChangedRows(width, height, "yuv420p")
    for picture in changes(height, width, seed=width):
        assert np.array_equal(converter.convert(picture).to_ndarray(), whole(picture))


def test_an_unchanged_picture_is_the_frame_before_and_no_frame_is_written_twice():
    converter = ChangedRows(64, 48, "yuv420p")
    first = np.zeros((48, 64, 4), np.uint8)
    frame = converter.convert(first)
    kept = frame.to_ndarray().copy()
    assert converter.convert(first.copy()) is frame  # equal pixels: nothing converted
    second = first.copy()
    second[40:, :, 0] = 255
    assert converter.convert(second) is not frame
    assert np.array_equal(frame.to_ndarray(), kept)  # the encoder may still hold it


def test_another_format_is_converted_whole():
    picture = np.random.default_rng(3).integers(0, 256, (48, 64, 4), dtype=np.uint8)
    converted = ChangedRows(64, 48, "yuv444p").convert(picture)
    assert converted.format.name == "yuv444p"
    expected = av.VideoFrame.from_ndarray(picture, format="rgba").reformat(format="yuv444p")
    assert np.array_equal(converted.to_ndarray(), expected.to_ndarray())
