"""A small perceptual hash (dHash, 64 bits) with Pillow: the same photo sent again, resized or
re-compressed, lands within a few bits of the first, so it cannot earn points twice."""

from typing import IO

from PIL import Image

HASH_SIZE = 8


def dhash_of(image_file: IO[bytes]) -> str:
    """16 hex digits: for each of 8 rows, whether each of 8 pixels is brighter than its right
    neighbour, on a 9×8 greyscale thumbnail."""
    with Image.open(image_file) as image:
        small = image.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.LANCZOS)
        pixels = list(small.tobytes())  # "L": one byte a pixel, row by row
    bits = 0
    for row in range(HASH_SIZE):
        for col in range(HASH_SIZE):
            left = pixels[row * (HASH_SIZE + 1) + col]
            right = pixels[row * (HASH_SIZE + 1) + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
