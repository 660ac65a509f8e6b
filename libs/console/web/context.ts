import { type Api } from './api';
import { type Route } from './router';

/** What a page gets: the API for the chosen graph, its container, the route, and an abort signal
 *  that fires when the user navigates away (so late answers never draw into another page). */
export interface PageContext {
  api: Api;
  root: HTMLElement;
  route: Route;
  signal: AbortSignal;
  /** Changes the hash without re-rendering the page (for sharing the state in the URL). */
  replaceHash(hash: string): void;
  /** Registers a clean-up run when the page is left. */
  onLeave(fn: () => void): void;
}
