"""`python -m generator` and the `jixiao` command.

Ctrl-C ends jixiao with one sentence at any moment: while Python is still loading it (run() catches
it from then on), and while the finished process is exiting (waiting for worker processes)."""

import signal
import sys


def main() -> int:
    try:
        from .cli import run
    except KeyboardInterrupt:
        print("已中断，还没有开始工作。", file=sys.stderr)
        return 130
    code = run()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done; exiting is not to be interrupted
    return code


if __name__ == "__main__":
    sys.exit(main())
