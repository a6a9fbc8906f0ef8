"""Run the Amazon sandbox: python -m sandbox --host 127.0.0.1 --port 8300."""

from sandbox.amazon.cli import main

if __name__ == "__main__":
    main()
