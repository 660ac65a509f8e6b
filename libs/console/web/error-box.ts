import { ApiError, errorMessage } from './api';
import { clear, h } from './dom';

/** Fills an error area (role=alert) with an API error's message as text. */
export function showError(box: HTMLElement, err: unknown, prefix?: string): void {
  clear(box);
  box.hidden = false;
  const msg = errorMessage(err);
  box.appendChild(h('p', { class: 'error-message' }, prefix ? `${prefix}: ${msg}` : msg));
  if (err instanceof ApiError && err.code === 'no-graph') {
    box.appendChild(h('p', { class: 'hint' }, 'Run a sync first (for example "jumpcloud-graph sync", or the demo) and reload.'));
  }
}

export function hideError(box: HTMLElement): void {
  clear(box);
  box.hidden = true;
}

export function errorArea(id?: string): HTMLDivElement {
  const box = h('div', { id, class: 'error', role: 'alert' });
  box.hidden = true;
  return box;
}
