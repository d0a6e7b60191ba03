from tular.service.cli import main

main()
