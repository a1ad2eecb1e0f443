"""What the lesson's scenes share: the base scene, provenance (the one way a number reaches the
screen), widgets, the matrix product, the two conventions, layout, style and shared captions.

Imports only ``qkv`` and manim: never a lesson scene, never ``lecture``.
"""
