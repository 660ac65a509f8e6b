import { STATUS_CODES } from 'node:http';

/** JupiterOne's error envelope: `{ "error": { "code", "message" } }`. */
export interface FakeErrorBody {
  error: { code: string; message: string };
}

/** Thrown by the synchronization state and the request parsers; the server answers it with `errorBody`. */
export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FakeApiError';
  }
}

export function errorBody(code: string, message: string): FakeErrorBody {
  return { error: { code, message } };
}

/** The code for a status without a more specific one: its reason phrase in upper snake case (503 -> SERVICE_UNAVAILABLE). */
export function defaultErrorCode(status: number): string {
  const phrase = STATUS_CODES[status] ?? 'Error';
  return phrase
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
