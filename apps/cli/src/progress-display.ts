import { type Logger } from '@jumpcloud-graph/domain';
import { type ProgressEvent, type ProgressListener } from '@jumpcloud-graph/ingestion-core';

interface StepLine {
  label: string;
  objects: number;
  state: 'running' | 'success' | 'failure' | 'skipped';
}

/**
 * Progress on stderr: on a TTY one live block (a line per step with the graph objects, entities
 * and relationships, it has written so far, redrawn at
 * most every 100 ms); elsewhere plain log lines when steps end. Silent with --quiet or --json.
 */
export function createProgressDisplay(options: {
  stream: NodeJS.WriteStream;
  logger: Logger;
  quiet: boolean;
  requests: () => number;
}): { listener: ProgressListener; stop(): void } {
  const { stream, logger } = options;
  if (options.quiet) return { listener: () => undefined, stop: () => undefined };
  if (!stream.isTTY) {
    return {
      listener: (event: ProgressEvent) => {
        if (event.kind === 'step-end' && event.status !== 'skipped') {
          logger.info(
            { step: event.stepId, organization: event.orgId, status: event.status, graphObjects: event.objects, durationMs: event.durationMs, ...(event.error ? { error: event.error } : {}) },
            `step ${event.stepId} ${event.status}: ${event.objects} graph objects written (entities and relationships)`,
          );
        }
      },
      stop: () => undefined,
    };
  }

  const lines = new Map<string, StepLine>();
  // Steps are labelled with their organization only when there are several.
  const organizationNames = new Map<string, string>();
  let drawn = 0;
  let dirty = false;
  const draw = () => {
    if (!dirty) return;
    dirty = false;
    // A step writes entities and the relationships it reads with them (users: each user and its
    // account edge), so the figure is graph objects, not users.
    const text = [`  ${'step'.padEnd(34)} ${'graph objects (entities + relationships)'}`];
    for (const line of lines.values()) {
      if (line.state === 'skipped') continue;
      text.push(`${line.state === 'running' ? '…' : line.state === 'success' ? '✓' : '✗'} ${line.label.padEnd(34)} ${String(line.objects).padStart(8)}`);
    }
    text.push(`  API requests ${options.requests()}`);
    // Move up over the previous block and rewrite it.
    stream.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${text.map((t) => `\x1b[2K${t}`).join('\n')}\n`);
    drawn = text.length;
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    listener: (event) => {
      if (event.kind === 'organizations') {
        if (event.organizations.length > 1) for (const o of event.organizations) organizationNames.set(o.id, o.name);
        return;
      }
      const key = `${event.orgId}/${event.stepId}`;
      const organization = organizationNames.get(event.orgId);
      const label = organization ? `${event.stepId} (${organization})` : event.stepId;
      const line = lines.get(key) ?? { label, objects: 0, state: 'running' as const };
      if (event.kind === 'step-progress') line.objects = event.objects;
      if (event.kind === 'step-end') {
        line.objects = event.objects;
        line.state = event.status;
      }
      lines.set(key, line);
      dirty = true;
    },
    stop: () => {
      clearInterval(timer);
      dirty = true;
      draw();
    },
  };
}
