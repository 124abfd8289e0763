"""The demo step: placeholder until written."""


def seed_demo_mediation(seed: int, scale: str) -> int:
    return 0
