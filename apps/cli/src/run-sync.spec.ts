import 'reflect-metadata';
import { effectiveLogLevel, exitCodeForStatus, SIGNAL_EXIT_CODES } from './run-sync';
import { createProgressDisplay } from './progress-display';
import { silentLogger } from '@jumpcloud-graph/domain';

describe('exit codes and log levels of a run', () => {
  it('maps each status to its exit code: failure is 1, never 0', () => {
    expect(exitCodeForStatus('success')).toBe(0);
    expect(exitCodeForStatus('partial')).toBe(3);
    expect(exitCodeForStatus('failure')).toBe(1);
    expect(SIGNAL_EXIT_CODES).toEqual({ SIGINT: 130, SIGTERM: 143 });
  });

  it('keeps only errors with --quiet or --json, and a stricter level as it is', () => {
    expect(effectiveLogLevel('info', true)).toBe('error');
    expect(effectiveLogLevel('debug', true)).toBe('error');
    expect(effectiveLogLevel('silent', true)).toBe('silent');
    expect(effectiveLogLevel('fatal', true)).toBe('fatal');
    expect(effectiveLogLevel('debug', false)).toBe('debug');
  });
});

describe('the progress display', () => {
  it('labels what it counts: graph objects, entities and relationships, not users', () => {
    let written = '';
    const stream = { isTTY: true, write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream;
    const display = createProgressDisplay({ stream, logger: silentLogger, quiet: false, requests: () => 3 });
    display.listener({ kind: 'step-start', stepId: 'users', orgId: 'o1' });
    display.listener({ kind: 'step-end', stepId: 'users', orgId: 'o1', status: 'success', objects: 426, durationMs: 5 });
    display.stop();
    // drop the terminal's escape sequences (cursor up, clear line)
    const text = written.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
    expect(text).toContain('graph objects (entities + relationships)');
    expect(text).toMatch(/✓ users\s+426\n/);
    expect(text).not.toMatch(/426 objects/);
  });

  it('says the same in its log lines when stderr is not a terminal', () => {
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger = { ...silentLogger, info: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) };
    const stream = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const display = createProgressDisplay({ stream, logger, quiet: false, requests: () => 0 });
    display.listener({ kind: 'step-end', stepId: 'users', orgId: 'o1', status: 'success', objects: 426, durationMs: 5 });
    expect(lines[0]).toEqual({
      fields: expect.objectContaining({ graphObjects: 426 }),
      message: 'step users success: 426 graph objects written (entities and relationships)',
    });
  });
});
