"""RLlib's own recording of experiences (new API stack), for comparison with the course's format.

RLlib 2.60 records what its EnvRunners sample when ``AlgorithmConfig.offline_data(output=...)``
is set: the EnvRunner group then uses ``ray.rllib.offline.offline_env_runner.
OfflineSingleAgentEnvRunner``, whose ``sample()`` buffers the sampled steps and writes them with
Ray Data. What it writes (read from ``offline_env_runner.py`` and ``algorithm_config.py``):

* by default whole episodes (``output_write_episodes=True``), msgpack-serialised, which needs the
  ``msgpack_numpy`` package that ``ray[rllib]`` does not install; with
  ``output_write_episodes=False`` one row per step with the columns ``eps_id`` (a uuid string),
  ``agent_id``, ``module_id``, ``obs``, ``actions``, ``rewards``, ``new_obs``, ``terminateds``,
  ``truncateds`` and the module's extra outputs (``action_dist_inputs``, ``action_logp``,
  ``weights_seq_no``): no step index ``t`` and no ``action_prob``;
* Parquet by default (``output_write_method="write_parquet"``; ``"write_json"`` gives JSON Lines);
* ``obs`` and ``new_obs`` LZ4-compressed by default (``output_compress_columns``): each is a base64
  string of an LZ4 frame of a *pickled* numpy array (``ray.rllib.utils.compression.pack``);
* without ``output_max_rows_per_file`` every ``sample()`` call writes the whole buffer, which is
  never emptied (rows are duplicated); with it, only full chunks of N rows are written, the rest
  waits for ``stop()`` if ``output_write_remaining_data=True``, and if one ``sample()`` call
  brings the buffer to 2 N rows or more only the *last* chunk is written, the others are lost
  (the ``while`` loop in ``OfflineSingleAgentEnvRunner.sample``). Keep N at least the number of
  rows one ``sample()`` call produces;
* Ray Data writes one file per block, and ``ray.data.from_items`` makes a block per row: pass
  ``output_write_method_kwargs={"min_rows_per_file": N}`` to get one file per write.

``tests/test_recording.py`` checks these facts against the installed RLlib.

This module gives the pieces a notebook needs around that:

* :class:`BehaviourPolicyModule`: the course's behaviour policy (softmax of sweetness over a
  temperature, :class:`offrl.policies.SoftmaxSweetness`) as an RLlib ``RLModule``, so that RLlib
  samples exactly the policy our own dataset is logged with;
* :func:`behaviour_module_spec`: its ``RLModuleSpec`` for ``AlgorithmConfig.rl_module``;
* :func:`recorded_files` and :func:`read_recording`: the files RLlib wrote, and their rows with
  ``obs``/``new_obs`` decompressed to numpy arrays.

Importing this module imports Ray and torch (a few seconds) but starts nothing; recording needs a
running Ray (``offrl.ray_setup.init_ray()``) because RLlib writes through Ray Data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from offrl.ray_setup import quiet_environment

quiet_environment()  # before Ray is imported: its workers inherit the settings

from ray.rllib.core.columns import Columns  # noqa: E402
from ray.rllib.core.rl_module.rl_module import RLModuleSpec  # noqa: E402
from ray.rllib.core.rl_module.torch import TorchRLModule  # noqa: E402
from ray.rllib.utils.compression import unpack  # noqa: E402

from offrl.env import EnvConfig  # noqa: E402

quiet_environment()  # again: importing Ray re-configured its loggers (e.g. RLlib's notice that
# every RLModule construction uses a deprecated config object, which is RLlib's own doing)


class BehaviourPolicyModule(TorchRLModule):
    """``pi(a|s) = softmax(sweetness / temperature)`` as an RLlib RLModule (no weights).

    ``model_config``: ``num_candidates`` (the sweetness values are the first ``num_candidates``
    entries of the observation; default: the number of actions) and ``temperature`` (default
    0.2). The module returns the logits ``sweetness / temperature`` as ``action_dist_inputs``;
    RLlib's default categorical distribution turns them into the softmax, samples the action
    when exploring (``explore=True``, the default) and records its ``action_logp``. With
    ``explore=False`` RLlib takes the argmax instead and records ``action_logp = 0``. The module
    has no parameters, so it can sample and record but not be trained.
    """

    def setup(self):
        cfg = self.model_config or {}
        self.num_candidates = int(cfg.get("num_candidates", self.action_space.n))
        self.temperature = float(cfg.get("temperature", 0.2))
        if not self.temperature > 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature!r}")

    def _forward(self, batch, **kwargs):
        sweetness = batch[Columns.OBS][..., : self.num_candidates]
        return {Columns.ACTION_DIST_INPUTS: sweetness / self.temperature}


def behaviour_module_spec(config: EnvConfig | None = None, temperature: float = 0.2):
    """``RLModuleSpec`` of :class:`BehaviourPolicyModule` for ``config``'s recommender (default:
    the course's behaviour policy, temperature 0.2). Pass it to
    ``AlgorithmConfig.rl_module(rl_module_spec=...)``."""
    config = config or EnvConfig()
    return RLModuleSpec(
        module_class=BehaviourPolicyModule,
        observation_space=config.observation_space(),
        action_space=config.action_space(),
        model_config={"num_candidates": config.num_candidates, "temperature": float(temperature)},
    )


_DATA_SUFFIXES = (".json", ".jsonl", ".parquet")
_RUN_DIR = re.compile(r"run-(.+)-(\d+)$")


def _writing_order(path: Path):
    """Sort key: RLlib names each write ``<output>/<env>/run-<worker index>-<sample() call>/``
    (zero-padded to 5 digits only), so compare the call number as a number."""
    m = _RUN_DIR.match(path.parent.name)
    if m is None:
        return (str(path.parent), "", 0, path.name)
    return (str(path.parent.parent), m.group(1), int(m.group(2)), path.name)


def recorded_files(output) -> list[Path]:
    """Every data file RLlib wrote under ``output`` (recursively): per EnvRunner (worker index),
    in the order of the ``sample()`` calls that wrote them."""
    root = Path(output)
    if not root.is_dir():
        return []
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in _DATA_SUFFIXES]
    return sorted(files, key=_writing_order)


def _decode(value):
    """Undo RLlib's column compression (base64 + LZ4 + pickle) if ``value`` is compressed.

    This unpickles: only read recordings you wrote yourself (or trust)."""
    if isinstance(value, (str, bytes)):
        return np.asarray(unpack(value))
    if isinstance(value, list):
        return np.asarray(value)
    return value


def read_rows(path) -> list[dict]:
    """The rows of one file RLlib wrote, as they are stored (nothing decompressed)."""
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_recording(output, decompress: bool = True) -> list[dict]:
    """All rows RLlib recorded under ``output``, in writing order, as a list of dicts.

    With ``decompress`` (default), ``obs`` and ``new_obs`` become numpy arrays whether they were
    stored compressed or as plain lists. Raises ``FileNotFoundError`` if nothing was written.
    """
    files = recorded_files(output)
    if not files:
        raise FileNotFoundError(f"no recorded data files under {output}")
    rows = [row for f in files for row in read_rows(f)]
    if decompress:
        for row in rows:
            for key in ("obs", "new_obs"):
                if key in row:
                    row[key] = _decode(row[key])
    return rows
