"""Cross-checking :mod:`offrl.estimators` against RLlib's own (old API stack) estimators.

RLlib 2.60's new-stack off-policy evaluation is unusable for teaching (see RLLIB_NOTES.md), but
the old-stack ``ImportanceSampling`` and ``WeightedImportanceSampling`` still compute the
figures the seed lecture printed. They need an old-stack ``Policy`` that can report
log-likelihoods; :class:`OldStackPolicy` wraps any ``offrl`` policy as one. This is the only
place the course touches the old API stack, and only to check its own numbers.
"""

from __future__ import annotations

import numpy as np

from offrl.dataset import Episodes
from offrl.env import EnvConfig
from offrl.ray_setup import quiet_environment


def _policy_base():
    quiet_environment()
    from ray.rllib.policy.policy import Policy

    return Policy


def make_old_stack_policy(policy, config: EnvConfig):
    """An old-stack ``ray.rllib.policy.Policy`` whose action probabilities are ``policy``'s."""
    Base = _policy_base()

    class OldStackPolicy(Base):
        def __init__(self):
            super().__init__(config.observation_space(), config.action_space(), {})
            self.offrl_policy = policy

        def compute_log_likelihoods(self, actions, obs_batch, *args, **kwargs):
            probs = np.asarray(self.offrl_policy(np.asarray(obs_batch)), dtype=np.float64)
            a = np.asarray(actions, dtype=np.int64)
            with np.errstate(divide="ignore"):
                return np.log(probs[np.arange(len(a)), a])

        def compute_actions(self, obs_batch, *args, **kwargs):  # pragma: no cover - unused
            probs = self.offrl_policy(np.asarray(obs_batch))
            return probs.argmax(axis=1), [], {}

        def get_weights(self):
            return {}

        def set_weights(self, weights):
            pass

    return OldStackPolicy()


def to_sample_batch(episodes: Episodes):
    """The episodes as one old-stack ``SampleBatch`` (rows in episode order)."""
    quiet_environment()
    from ray.rllib.policy.sample_batch import SampleBatch

    m = episodes.mask
    eps = np.broadcast_to(episodes.eps_id[:, None], m.shape)
    return SampleBatch(
        {
            "obs": episodes.obs[m],
            "actions": episodes.actions[m],
            "rewards": episodes.rewards[m].astype(np.float64),
            "new_obs": episodes.new_obs[m],
            "terminateds": episodes.terminateds[m],
            "truncateds": episodes.truncateds[m],
            "action_prob": episodes.action_prob[m],
            "eps_id": eps[m],
        }
    )


def rllib_estimates(
    episodes: Episodes, policy, config: EnvConfig, gamma: float = 1.0
) -> dict[str, dict[str, float]]:
    """RLlib's old-stack ``ImportanceSampling`` and ``WeightedImportanceSampling`` figures for
    ``policy`` on ``episodes``: ``{"is": {...}, "wis": {...}}``, each with v_behavior,
    v_behavior_std, v_target, v_target_std, v_gain and v_delta."""
    quiet_environment()
    from ray.rllib.offline.estimators import ImportanceSampling, WeightedImportanceSampling

    old_policy = make_old_stack_policy(policy, config)
    batch = to_sample_batch(episodes)
    out = {}
    for key, cls in (("is", ImportanceSampling), ("wis", WeightedImportanceSampling)):
        est = cls(old_policy, gamma=gamma)
        out[key] = {k: float(v) for k, v in est.estimate(batch).items()}
    return out
