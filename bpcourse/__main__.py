from bpcourse.cli import main

raise SystemExit(main())
