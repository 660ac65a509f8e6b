// The entry of the local graph store's worker thread, bundled on its own (local-graph-thread.js
// beside main.js), so the thread loads the store and not the rest of the app.
import { serveLocalGraphThread } from '@jumpcloud-graph/local-graph';

serveLocalGraphThread();
