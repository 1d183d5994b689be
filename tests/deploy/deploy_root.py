"""The tree the deploy checks read: the repository's top, or DEPLOY_CHECK_ROOT, a
copy that self_test.py breaks on purpose to see each check fail."""
import os

ROOT = os.environ.get("DEPLOY_CHECK_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
