"""Everything a lecture needs from the rendered scenes: one folder per sentence, the scenes
joined into one video, subtitles (.srt, .vtt) for each scene and the whole lesson, and a
handout of the real matrices. These work on files the renderer wrote; only build.py, which
drives the renderer (lecture.runner), imports manim, and only when it renders.
"""

from lecture.folder import lesson_folder, slug
from lecture.handout import write_handout
from lecture.subtitles import join_subtitles, write_vtt
from lecture.video import duration, join_videos

__all__ = [
    "duration",
    "join_subtitles",
    "join_videos",
    "lesson_folder",
    "slug",
    "write_handout",
    "write_vtt",
]
