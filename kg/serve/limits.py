"""Every default and limit of ``kg serve`` in one place (the CLI's options set most of them)."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0  # seconds a query (or an update) may run
DEFAULT_MAX_ROWS = 10000  # result rows (triples for CONSTRUCT/DESCRIBE) returned at most
DEFAULT_MEMORY_LIMIT_MB = 1024  # per worker (RLIMIT_AS)
DEFAULT_CLIENT_TIMEOUT = 10.0  # seconds to send a whole request / to take each chunk of a response
DEFAULT_MAX_CONNECTIONS = 128
DEFAULT_MAX_RESULT_MB = 64
MAX_BODY = 1 << 20  # largest accepted query/update text, bytes
MAX_GRAPH_IRIS = 100  # default-graph-uri / named-graph-uri values in one request

SLOW_AFTER = 0.5  # seconds: a query running longer moves to the slow lane
SLOW_NICE = 10  # niceness added to a slow-lane worker
SPARE_WORKERS = 1  # started and idle beyond --workers: a crash or a slow query never waits for a start
REMEMBER_FAILURES = 600.0  # seconds a query that crashed its worker is refused without running
COOLDOWN_MAX = 30.0  # seconds: the longest wait imposed on a client whose queries keep killing workers
