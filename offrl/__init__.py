"""offrl: the helper package of the offline-RL course.

Modules:
    env         the simulated sweets recommender (dynamics, EnvConfig, gymnasium env)
    simulator   vectorised simulator: rollouts and ground-truth policy values
    policies    reference policies (obs batch -> action probabilities) and sampling
    dataset     the JSON Lines schema: generation, loading, validation
    estimators  off-policy estimators (IS, per-decision IS, WIS, per-decision WIS, ESS)
    ray_setup   quiet Ray start-up and 2-CPU-safe offline-data settings
    rllib_ope   RLlib's old-stack IS/WIS on the same data, to cross-check our numbers
    plots       the lessons' matplotlib figures (episode traces, histograms, values)
    marwil      MARWIL/BC training from the logged file; trained policies as numpy
    recording   RLlib's own recording of experiences, read back for comparison
    ope_experiments  OPE sweeps (estimate vs dataset size, vs horizon) against the truth
"""

from offrl.dataset import (
    DataError,
    Episodes,
    canonical_config,
    canonical_dataset_path,
    generate_dataset,
    load_canonical,
    load_episodes,
    validate_file,
    write_jsonl,
)
from offrl.env import ENV_ID, CandyRecommenderEnv, EnvConfig, make_env, register_env, transition
from offrl.estimators import (
    Estimate,
    OPEError,
    PerDecisionIS,
    PerDecisionWIS,
    TrajectoryIS,
    WeightedIS,
    effective_sample_size,
    importance_ratios,
    rllib_summary,
    target_action_probs,
)
from offrl.policies import (
    GreedySweetest,
    SoftmaxSweetness,
    SugarAware,
    UniformRandom,
    behaviour_policy,
    sample_actions,
)
from offrl.simulator import PolicyValue, Rollouts, VectorRecommender, evaluate_policy, rollout

register_env()

__version__ = "0.1.0"
