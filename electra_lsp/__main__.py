from electra_lsp.cli import main

raise SystemExit(main())
