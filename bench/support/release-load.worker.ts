import { parentPort, workerData } from 'node:worker_threads';
import { releaseLoad, type ReleaseLoad } from './release-load.js';

// The load generator's own thread: its HTTP client does not share the service's event loop.
parentPort!.postMessage(await releaseLoad(workerData as ReleaseLoad));
