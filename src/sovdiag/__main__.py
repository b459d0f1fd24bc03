from sovdiag.cli import main

main()
