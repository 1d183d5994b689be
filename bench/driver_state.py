"""driver.py's shared ground: the checkout's root, the `bench:` log line on stderr and
the state file (--state, JSON) every subcommand merges its figures into."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def load_state(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def update_state(path, key, value):
    """Merges `value` under `key` (dicts are merged one level deep)."""
    state = load_state(path)
    if isinstance(value, dict) and isinstance(state.get(key), dict):
        state[key].update(value)
    else:
        state[key] = value
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=2, sort_keys=True)
    os.replace(tmp, path)
