"""Generate the course's canonical logged dataset, data/recommender_offline.json.

    python scripts/make_dataset.py [--out PATH]

The behaviour policy is the sweetness-seeking softmax (temperature 0.2) that the business runs
today; the recommender observes sweetness and the user's sugar level (EnvConfig in
offrl.dataset.canonical_config). The seed is fixed, so the output is byte-identical on every run
(tests/test_dataset.py checks it).
"""

import argparse

from offrl.dataset import (
    CANONICAL_NUM_EPISODES,
    CANONICAL_SEED,
    canonical_config,
    canonical_dataset_path,
    generate_dataset,
    validate_file,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", default=str(canonical_dataset_path()))
    args = parser.parse_args(argv)
    generate_dataset(
        args.out,
        num_episodes=CANONICAL_NUM_EPISODES,
        config=canonical_config(),
        seed=CANONICAL_SEED,
    )
    print(validate_file(args.out, canonical_config().num_candidates))


if __name__ == "__main__":
    main()
