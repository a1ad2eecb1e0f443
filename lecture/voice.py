"""The lesson's voice: every caption beat spoken offline by espeak-ng, or taken from the
lecturer's own recordings (one file per beat, named by the beat's id).

A scene asks its narrator for a beat's speech when the caption appears; manim mixes the file
into the scene's audio at that moment (Scene.add_sound) and the scene holds until the speech
has ended. Nothing here writes audio containers: espeak-ng writes WAV, PyAV reads the rest.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import av

from qkv import BadInput

__all__ = ["ESPEAK", "RECORDING_SUFFIXES", "Narrator", "check_recordings", "spoken", "seconds_of"]

ESPEAK = "espeak-ng"
# the lesson's language -> espeak-ng's voice (Mandarin: "cmn")
VOICES = {"en": "en", "ru": "ru", "zh": "cmn"}
RECORDING_SUFFIXES = (".wav", ".flac", ".mp3")
# how a lecturer says the signs the captions use
_SAYS = {
    "en": {"−": " minus ", "×": " times ", "·": " times ", "√": " square root of ", "≈": " about "},
    "ru": {"−": " минус ", "×": " на ", "·": " на ", "√": " корень из ", "≈": " около "},
    "zh": {"−": "负", "×": "乘", "·": "乘", "√": "根号", "≈": "约", "-": "负"},
}


def spoken(text: str, language: str) -> str:
    """A caption as it is read aloud: signs as words (``−0.22`` -> ``minus 0.22``; espeak-ng
    reads the number itself in the lesson's language); quotes and brackets are not said."""
    for sign, word in _SAYS[language].items():
        text = text.replace(sign, word)
    if language != "zh":  # a hyphen before a digit is a minus too (a hyphen in a word is not)
        text = re.sub(r"(?<![\w])-(?=\d)", _SAYS[language]["−"], text)
    text = re.sub(r"[\"“”«»„'‘’()\[\]{}]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([,.:;!?])", r"\1", text)


def seconds_of(path: Path) -> float:
    """How long a recording plays: its first audio stream's duration, or its decoded length."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise BadInput(f"{path} has no audio in it; record it again (WAV, FLAC or MP3)")
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            samples = sum(frame.samples for frame in container.decode(stream))
            return samples / float(stream.rate or 1)
    except (av.FFmpegError, UnicodeDecodeError) as err:
        raise BadInput(f"{path} cannot be read as audio ({err}); give a WAV, FLAC or MP3") from None


def check_recordings(folder: Path) -> None:
    """Before any work: ``--voice DIR`` is a folder whose recordings all decode."""
    if not folder.is_dir():
        raise BadInput(f"--voice {folder}: not a folder; give espeak or a folder of recordings")
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in RECORDING_SUFFIXES:
            seconds_of(path)


@dataclass(frozen=True)
class Narrator:
    """Speech for a scene's beats: from ``recordings`` when a file is there, else espeak-ng.
    Synthesised speech is written into ``work`` (the scene's own manim folder)."""

    work: Path
    recordings: Path | None = None

    def speak(self, beat: str, text: str, language: str) -> tuple[str, float]:
        """The file that says ``text`` for ``beat`` and how many seconds it lasts."""
        if self.recordings is not None:
            for suffix in RECORDING_SUFFIXES:
                recorded = self.recordings / f"{beat}{suffix}"
                if recorded.exists():
                    return str(recorded), seconds_of(recorded)
            print(
                f"warning: no recording {beat}.wav in {self.recordings}; espeak says it",
                file=sys.stderr,
            )
        self.work.mkdir(parents=True, exist_ok=True)
        wav = self.work / f"{beat}.wav"
        command = [ESPEAK, "-v", VOICES[language], "-w", str(wav), "--", spoken(text, language)]
        subprocess.run(command, check=True, capture_output=True)
        return str(wav), seconds_of(wav)
