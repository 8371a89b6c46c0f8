// Entry point of the worker thread that runs parallel secondaries (bundled as dist/secondary-worker.js).

import './parallel-secondary';
