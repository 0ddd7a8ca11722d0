from defidrill.cli.main import main

main()
