from backpain_cli.cli.entry import main

main()
