"""Demo steps other apps add to the demo city (cases, devices, …). Core builds the ground and
then runs each registered step once, in registration order, when it creates the city; core
itself never imports those apps."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[int, str], int]  # (seed, scale) -> rows created, for the summary line


DEMO_STEPS: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    if all(existing.name != step.name for existing in DEMO_STEPS):
        DEMO_STEPS.append(step)
