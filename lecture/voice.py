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
from num2words import num2words  # type: ignore[import-untyped]

from qkv import BadInput

__all__ = ["ESPEAK", "RECORDING_SUFFIXES", "Narrator", "check_recordings", "spoken", "seconds_of"]

ESPEAK = "espeak-ng"
# the lesson's language -> espeak-ng's voice. Mandarin is "cmn-latn-pinyin": espeak-ng 1.51's
# plain "cmn" reads most characters' pinyin as English words ("you3" as "you three").
VOICES = {"en": "en", "ru": "ru", "zh": "cmn-latn-pinyin"}
RECORDING_SUFFIXES = (".wav", ".flac", ".mp3")
INSTALL_HINT = "install espeak-ng and its voices (bash scripts/setup.sh), or render without --voice"
# how a lecturer says the signs the captions use
_SAYS = {
    "en": {
        "×": " times ",
        "·": " times ",
        "√": " square root of ",
        "≈": " about ",
        "&": " and ",
        "tanh": "hyperbolic tangent",
    },
    "ru": {
        "×": " на ",
        "·": " на ",
        "√": " корень из ",
        "≈": " около ",
        "&": " и ",
        "tanh": "гиперболический тангенс",
    },
    "zh": {"×": "乘", "·": "乘", "√": "根号", "≈": "约", "&": "和", "tanh": "双曲正切"},
}
MINUS = {"en": "minus", "ru": "минус", "zh": "负"}
# a number as the lesson shows it: a sign (− or a hyphen not inside a word), digits, decimals;
# not digits inside a name (x1, W_Q2); Chinese has no spaces, so a character may come before
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(?:−|(?<![\w])-)?\d+(?:\.\d+)?(?![A-Za-z_])")
_CJK = r"[\u3000-\u9fff\uff00-\uffef]"  # CJK punctuation, ideographs, full-width forms
_ZH_DIGITS = "零一二三四五六七八九"
_RU_PARTS = ("десят", "сот", "тысячн", "десятитысячн", "стотысячн", "миллионн")


def spoken(text: str, language: str) -> str:
    """A caption or narration as it is read aloud: every number in words at the precision it
    is shown (``−0.20`` -> "minus zero point two zero"), signs as words, and quotes and
    brackets not said (an apostrophe inside a word stays: "attention's")."""
    text = _NUMBER.sub(lambda m: f" {number_words(m.group(), language)} ", text)
    for sign, word in _SAYS[language].items():
        text = text.replace(sign, word)
    text = re.sub(r"[\"“”«»„()\[\]{}（）]|(?<!\w)['‘’]|['‘’](?!\w)", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if language == "zh":  # Chinese puts no spaces between its characters
        text = re.sub(rf"(?<={_CJK}) | (?={_CJK})", "", text)
    return re.sub(r" ([,.:;!?，。：；！？])", r"\1", text)


def number_words(shown: str, language: str) -> str:
    """A number as a lecturer reads it, every shown decimal said: ``−1.20`` is "minus one point
    two zero", "минус одна целая двадцать сотых", "负一点二零"."""
    negative = shown[0] in "−-"
    whole, _, decimals = shown.lstrip("−-").partition(".")
    if language == "en":
        said = num2words(int(whole), lang="en").replace(",", "")
        if decimals:
            said += " point " + " ".join(num2words(int(d), lang="en") for d in decimals)
    elif language == "ru":
        # the fraction is feminine (доля): "одна целая", "двадцать две сотых"
        said = num2words(int(whole), lang="ru", gender="f" if decimals else "m")
        if decimals:
            n, f = int(whole), int(decimals)
            said += " целая" if n % 10 == 1 and n % 100 != 11 else " целых"
            said += " " + num2words(f, lang="ru", gender="f") + " " + _RU_PARTS[len(decimals) - 1]
            said += "ая" if f % 10 == 1 and f % 100 != 11 else "ых"
    else:
        said = _zh_integer(int(whole))
        if decimals:
            said += "点" + "".join(_ZH_DIGITS[int(d)] for d in decimals)
    return f"{MINUS[language]} {said}".replace("负 ", "负") if negative else said


def _zh_integer(n: int) -> str:
    """An integer in Chinese numerals (below 10⁸): 105 -> 一百零五, 8103 -> 八千一百零三."""
    if n >= 10**8:
        return str(n)
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        rest = _zh_integer(low) if low else ""
        return _zh_integer(high) + "万" + ("零" if 0 < low < 1000 else "") + rest
    said, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(said)
            continue
        said += ("零" if zero else "") + _ZH_DIGITS[digit] + unit
        zero = False
    said = said or "零"
    return said[1:] if said.startswith("一十") else said  # 十二, not 一十二


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
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as err:  # gone since check_system looked for it
            raise BadInput(f"{ESPEAK} cannot run ({err.strerror}); {INSTALL_HINT}") from None
        if done.returncode != 0 or not wav.exists():
            said = (done.stderr.strip().splitlines() or ["no error message"])[-1]
            raise BadInput(f"{ESPEAK} could not say beat {beat} ({said}); {INSTALL_HINT}")
        return str(wav), seconds_of(wav)
