import sys

from bench import pages
from bench.suite import main

if sys.argv[1:3] == ["--only", "recurrence"] or "--only=recurrence" in sys.argv[1:]:
    from bench.recurrence import main as recurrence_main

    skip = ("--only", "recurrence", "--only=recurrence")
    sys.exit(recurrence_main([a for a in sys.argv[1:] if a not in skip]))
if sys.argv[1:3] == ["--only", "broadcast"] or "--only=broadcast" in sys.argv[1:]:
    from bench.broadcast import main as broadcast_main

    sys.exit(broadcast_main([a for a in sys.argv[1:] if a != "--only=broadcast"]))
sys.exit(pages.main() if pages.wants_pages(sys.argv[1:]) else main())
