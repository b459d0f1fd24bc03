from sovdiag.cli import main

# Guarded: report workers (forkserver) import the main module again, and must not run the CLI.
if __name__ == "__main__":
    main()
