import { STATUS_CODES } from 'node:http';
import type { ApiErrorBody } from './dataset.types';

/** Thrown by handlers and parsers; the server answers it with the document's Error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** JumpCloud's error shape: `code` is the HTTP status, `status` its reason phrase. */
export function errorBody(status: number, message: string): ApiErrorBody {
  return { code: status, message, status: STATUS_CODES[status] ?? 'Error' };
}
