// Entry of the worker thread in the worker publisher's spec (bundled with esbuild there).
import { parentPort, workerData } from 'node:worker_threads';
import { isLocalGraphWorkerData, serveLocalGraphStore } from '../local-graph-worker';

if (parentPort && isLocalGraphWorkerData(workerData)) serveLocalGraphStore(parentPort, workerData);
