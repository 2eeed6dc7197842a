"""`python main.py spec|check|discover|read ...` — the same entry point as the `source-aroflo` script."""

from source_aroflo.run import run

if __name__ == "__main__":
    run()
