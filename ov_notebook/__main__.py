"""``python -m ov_notebook``: ``demo`` converts a small torchvision model and compares it with
PyTorch (see ``ov_notebook/demo.py``); every other subcommand is the ``ovn`` command line
(``convert``, ``info``, ``infer``, ``bench``: ``ov_notebook/cli.py``)."""
from __future__ import annotations

import sys

USAGE = "usage: python -m ov_notebook demo [--model NAME] [--size N] | <ovn subcommand> ..."


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"]:
        from .demo import main as demo

        return demo(argv[1:])
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
    from .cli import main as cli

    return cli(argv)


if __name__ == "__main__":
    sys.exit(main())
