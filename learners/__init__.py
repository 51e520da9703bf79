"""Learners: trainers for the models CauArena ships (tiny LM, CauScale, DEPO, GRPO, ...)."""
