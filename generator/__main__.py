"""`python -m generator` and the `jixiao` command.

Ctrl-C ends jixiao with one sentence at any moment once Python runs it: while it is still loading
(run() catches it from then on), and while the finished process exits (waiting for worker processes).
Before that, while Python itself starts, it is Python's own business."""

import sys


def main() -> int:
    try:
        import signal

        from .cli import run

        code = run()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done; exiting is not to be interrupted
    except KeyboardInterrupt:  # before run() took charge of it, or just after it returned
        print("已中断。", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
