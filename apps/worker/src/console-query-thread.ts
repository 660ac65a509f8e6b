// The entry of the console's query thread, bundled on its own (console-query-thread.js beside
// main.js), so the thread loads the local graph and the query engine, not the rest of the app.
import { serveConsoleQueryThread } from '@jumpcloud-graph/console';

serveConsoleQueryThread();
