"""The simulated sweets recommender: dynamics, configuration and the gymnasium environment.

Each step the user is shown ``num_candidates`` items whose sweetness is drawn uniformly in
[0, 1]. The recommender picks one item ``a``. With the user's sugar level ``s`` (0 at the start):

    reward  r = (1 - s) * sweetness[a]
    sugar   s <- alpha * s + (1 - alpha) * sweetness[a]

Episodes are truncated after ``max_steps`` steps (there is no terminal state).

What the agent observes is part of the configuration, because it decides what can be learnt:

* ``"sweetness"``: only the candidates' sweetness. The user's state is hidden, so no policy
  can plan for it (a uniformly random recommender is already near-optimal).
* ``"sugar"``: the candidates' sweetness followed by the current sugar level.
* ``"history"``: the candidates' sweetness followed by the sweetness of the last
  ``history_len`` recommended items (most recent first, 0 before the episode started).

:func:`transition` is the single definition of the dynamics; :class:`CandyRecommenderEnv` and
:class:`offrl.simulator.VectorRecommender` both call it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym
import numpy as np

ENV_ID = "offrl/CandyRecommender-v0"
OBS_MODES = ("sweetness", "sugar", "history")


def transition(sugar, chosen_sweetness, alpha: float):
    """Apply one step of the user's dynamics; works elementwise on scalars or arrays.

    Returns ``(reward, new_sugar)`` with ``reward = (1 - sugar) * chosen_sweetness`` and
    ``new_sugar = alpha * sugar + (1 - alpha) * chosen_sweetness``.
    """
    reward = (1.0 - sugar) * chosen_sweetness
    new_sugar = alpha * sugar + (1.0 - alpha) * chosen_sweetness
    return reward, new_sugar


@dataclass(frozen=True)
class EnvConfig:
    """Everything that defines one version of the recommender.

    Attributes:
        num_candidates: items shown per step (the number of actions).
        alpha: how much of the old sugar level is kept each step (0 <= alpha < 1).
        max_steps: episode length (truncation).
        obs_mode: one of ``"sweetness"``, ``"sugar"``, ``"history"`` (see module docstring).
        history_len: number of past recommendations observed in ``"history"`` mode.
    """

    num_candidates: int = 5
    alpha: float = 0.5
    max_steps: int = 100
    obs_mode: str = "sugar"
    history_len: int = 3

    def __post_init__(self):
        if not (isinstance(self.num_candidates, (int, np.integer)) and self.num_candidates >= 2):
            raise ValueError(f"num_candidates must be an integer >= 2, got {self.num_candidates!r}")
        if not 0.0 <= float(self.alpha) < 1.0:
            raise ValueError(f"alpha must lie in [0, 1), got {self.alpha!r}")
        if not (isinstance(self.max_steps, (int, np.integer)) and self.max_steps >= 1):
            raise ValueError(f"max_steps must be an integer >= 1, got {self.max_steps!r}")
        if self.obs_mode not in OBS_MODES:
            raise ValueError(f"obs_mode must be one of {OBS_MODES}, got {self.obs_mode!r}")
        if not (isinstance(self.history_len, (int, np.integer)) and self.history_len >= 1):
            raise ValueError(f"history_len must be an integer >= 1, got {self.history_len!r}")

    @property
    def obs_dim(self) -> int:
        """Length of one observation vector."""
        extra = {"sweetness": 0, "sugar": 1, "history": self.history_len}[self.obs_mode]
        return self.num_candidates + extra

    def observation_space(self) -> gym.spaces.Box:
        return gym.spaces.Box(0.0, 1.0, shape=(self.obs_dim,), dtype=np.float32)

    def action_space(self) -> gym.spaces.Discrete:
        return gym.spaces.Discrete(self.num_candidates)

    def sweetness(self, obs: np.ndarray) -> np.ndarray:
        """The candidates' sweetness, the first ``num_candidates`` entries of ``obs[..., :]``."""
        return np.asarray(obs)[..., : self.num_candidates]

    def observe(self, sweetness: np.ndarray, sugar: np.ndarray, history: np.ndarray) -> np.ndarray:
        """Build observations (batched on the leading axes) from the simulator's state.

        ``sweetness`` has shape ``(..., num_candidates)``, ``sugar`` shape ``(...)`` and
        ``history`` shape ``(..., history_len)``.
        """
        if self.obs_mode == "sweetness":
            obs = sweetness
        elif self.obs_mode == "sugar":
            obs = np.concatenate([sweetness, np.asarray(sugar)[..., None]], axis=-1)
        else:
            obs = np.concatenate([sweetness, history], axis=-1)
        return obs.astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CandyRecommenderEnv(gym.Env):
    """Gymnasium environment of one user (see the module docstring for the dynamics).

    ``info`` carries the hidden ``sugar`` level after the step, so lessons can plot it even
    when the agent does not observe it.
    """

    metadata = {"render_modes": []}

    def __init__(self, config: EnvConfig | dict | None = None, **kwargs):
        if isinstance(config, EnvConfig):
            if kwargs:
                raise TypeError("pass either an EnvConfig or keyword arguments, not both")
            self.config = config
        else:
            self.config = EnvConfig(**{**dict(config or {}), **kwargs})
        self.observation_space = self.config.observation_space()
        self.action_space = self.config.action_space()
        self._sugar = 0.0
        self._t = 0
        self._sweetness = np.zeros(self.config.num_candidates)
        self._history = np.zeros(self.config.history_len)

    def _draw_candidates(self) -> None:
        # float32 so the observation holds exactly the values the rewards are computed from.
        self._sweetness = self.np_random.random(self.config.num_candidates).astype(np.float32)

    def _obs(self) -> np.ndarray:
        return self.config.observe(self._sweetness, np.float32(self._sugar), self._history)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self._sugar = np.float32(0.0)
        self._t = 0
        self._history = np.zeros(self.config.history_len, dtype=np.float32)
        self._draw_candidates()
        return self._obs(), {"sugar": float(self._sugar)}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(
                f"action must be an integer in [0, {self.config.num_candidates}), got {action!r}"
            )
        chosen = self._sweetness[int(action)]
        reward, self._sugar = transition(self._sugar, chosen, np.float32(self.config.alpha))
        self._sugar = np.float32(self._sugar)
        self._history = np.concatenate([[chosen], self._history[:-1]]).astype(np.float32)
        self._t += 1
        truncated = self._t >= self.config.max_steps
        self._draw_candidates()
        return self._obs(), float(reward), False, truncated, {"sugar": float(self._sugar)}


def register_env() -> None:
    """Register :data:`ENV_ID` with gymnasium (idempotent; done on ``import offrl``)."""
    if ENV_ID not in gym.registry:
        gym.register(id=ENV_ID, entry_point="offrl.env:CandyRecommenderEnv")


def make_env(**kwargs) -> CandyRecommenderEnv:
    """``gymnasium.make`` the recommender, unwrapped of gymnasium's checker wrappers."""
    register_env()
    return gym.make(ENV_ID, **kwargs).unwrapped
