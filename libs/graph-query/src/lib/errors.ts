import { type Position } from './ast';

/**
 * A query the subset cannot run: a syntax error, a part of J1QL left out (named), or a semantic
 * error (an alias used but never defined). `column` (1-based) points at the part; the message
 * carries it too, with a caret line from `describe`.
 */
export class J1qlError extends Error {
  override readonly name = 'J1qlError';
  readonly line: number;
  readonly column: number;

  constructor(message: string, position: Position) {
    super(`${message} (column ${position.column}${position.line > 1 ? `, line ${position.line}` : ''})`);
    this.line = position.line;
    this.column = position.column;
  }

  /** The message, the query's line and a caret under the column: what the CLI prints. */
  describe(query: string): string {
    const line = query.split('\n')[this.line - 1] ?? '';
    return `${this.message}\n  ${line}\n  ${' '.repeat(Math.max(0, this.column - 1))}^`;
  }
}
