from supervision.cli import main

raise SystemExit(main())
