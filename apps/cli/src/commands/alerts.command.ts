import { type AlertReport, AlertRulesError, evaluateRules, type Finding, WebhookReceiver } from '@jumpcloud-graph/alerting';
import { type AlertFindingStatus, LocalGraphStoreError, type StoredAlertFinding } from '@jumpcloud-graph/local-graph';
import { loadAlertRules, type LoadedAlertRules, localGraphChanges } from '@jumpcloud-graph/runtime';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../config/sync-config';
import { loadQuestions } from './questions.command';
import { withLocalGraph } from './query.command';

/**
 * Reads and checks a rules file (docs/alerts.md) before anything else runs: a file that cannot be
 * read or parsed, an unknown question, a query outside the subset, a webhook URL that is not
 * https, or a `secretEnv` whose variable is unset is a usage error (exit 2).
 */
export function loadRulesOption(file: string, env: Record<string, string | undefined>, option = '--rules'): LoadedAlertRules {
  try {
    return loadAlertRules(file, env, loadQuestions(undefined));
  } catch (error) {
    if (error instanceof AlertRulesError) throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** The `alerts` part of the sync summary, as text. */
export function formatAlertReport(report: AlertReport): string {
  const lines = [`alerts: ${report.rules} rule${report.rules === 1 ? '' : 's'}, ${report.findings} new finding${report.findings === 1 ? '' : 's'}; delivered ${report.delivered}, pending ${report.pending}${report.dropped ? `, dropped ${report.dropped}` : ''}`];
  for (const rule of report.byRule.filter((r) => r.findings > 0)) lines.push(`  ${rule.id} (${rule.severity}): ${rule.findings}`);
  for (const error of report.errors) lines.push(`  delivery failed: ${error}`);
  return lines.join('\n');
}

const describeFinding = (finding: Finding): string => {
  const name = finding.object.name ?? finding.object._key;
  const changes = finding.changes
    ? ` ${Object.entries(finding.changes)
        .map(([p, c]) => ('from' in c ? `${p}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}` : `${p}: changed`))
        .join(', ')}`
    : '';
  return `${finding.kind} ${finding.object._type} ${name}${changes}`;
};

const STATUSES: AlertFindingStatus[] = ['pending', 'delivered', 'recorded', 'dropped'];

function listCommand(): Command {
  return new Command('list')
    .description('the findings of alert rules on the local graph, newest first, with their delivery status')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .addOption(new Option('--status <status>', 'only findings of this status').choices(STATUSES))
    .option('--limit <n>', 'findings listed at most', (value) => {
      if (!/^\d+$/.test(value)) throw new InvalidArgumentError('--limit must be a whole number');
      return Number(value);
    }, 100)
    .option('--json', 'print one JSON object: {findings: [...], counts: {...}}')
    .action(async (flags: { db: string; status?: AlertFindingStatus; limit: number; json?: boolean }) => {
      const listed = await withLocalGraph(flags.db, async (store) => {
        const state = store.alertState();
        return { findings: state.listFindings({ status: flags.status, limit: flags.limit }), counts: state.countByStatus() };
      });
      if (listed === undefined) return;
      const entry = (f: StoredAlertFinding) => ({
        ...(JSON.parse(f.finding) as Finding),
        severity: f.severity,
        runId: f.runId,
        status: f.status,
        attempts: f.attempts,
        lastError: f.lastError,
        createdAt: new Date(f.createdAt).toISOString(),
        deliveredAt: f.deliveredAt === null ? null : new Date(f.deliveredAt).toISOString(),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ findings: listed.findings.map(entry), counts: listed.counts })}\n`);
        return;
      }
      const lines = listed.findings.map((f) => {
        const finding = JSON.parse(f.finding) as Finding;
        return `${new Date(f.createdAt).toISOString()}  ${f.status.padEnd(9)}  ${f.severity.padEnd(8)}  ${f.ruleId}: ${describeFinding(finding)}${f.lastError ? `  (${f.lastError})` : ''}`;
      });
      const counts = STATUSES.map((s) => `${listed.counts[s]} ${s}`).join(', ');
      process.stdout.write(`${lines.length > 0 ? `${lines.join('\n')}\n` : 'no findings\n'}${counts}\n`);
    });
}

function testCommand(): Command {
  return new Command('test')
    .description('evaluate a rules file on the local graph and print what each rule finds; delivers nothing and records nothing')
    .argument('<file>', 'the rules file (YAML or JSON)')
    .option('--db <path>', 'local graph database', process.env['JUMPCLOUD_GRAPH_DB'] ?? '.jumpcloud-graph/graph.db')
    .option('--json', 'print one JSON object: {rules: [{id, severity, results, findings: [...]}]}')
    .action(async (file: string, flags: { db: string; json?: boolean }) => {
      const loaded = loadRulesOption(file, process.env, 'alerts test');
      const evaluations = await withLocalGraph(flags.db, async (store) => {
        const committed = store.listRuns().filter((run) => run.status === 'committed');
        const [run, previous] = committed;
        if (run === undefined) throw new LocalGraphStoreError('LOCAL_GRAPH_NOT_FOUND', `no committed run in ${flags.db}: run a sync first`);
        const changes = previous === undefined ? undefined : localGraphChanges(store, store.diff(previous.id, run.id), run.partialTypes);
        return evaluateRules(loaded.rules, { engine: store.queryEngine(), changes, previous: store.alertState(), runId: run.id, nowMs: Date.now() });
      });
      if (evaluations === undefined) return;
      if (flags.json) {
        const rules = evaluations.map((e) => ({ id: e.rule.id, severity: e.rule.severity, ...(e.results !== undefined ? { results: e.results } : {}), findings: e.findings }));
        process.stdout.write(`${JSON.stringify({ rules })}\n`);
        return;
      }
      const parts = evaluations.map((e) => {
        const head = `${e.rule.id} (${e.rule.severity}): ${e.findings.length} finding${e.findings.length === 1 ? '' : 's'}${e.results !== undefined ? ` of ${e.results} result${e.results === 1 ? '' : 's'}` : ''}`;
        return [head, ...e.findings.slice(0, 20).map((f) => `  ${describeFinding(f)}`), ...(e.findings.length > 20 ? [`  and ${e.findings.length - 20} more`] : [])].join('\n');
      });
      process.stdout.write(`${parts.join('\n')}\n`);
    });
}

function receiveCommand(): Command {
  return new Command('receive')
    .description('a webhook receiver to try alert rules with: prints each delivery it gets (a rule posts to http://127.0.0.1:<port>/)')
    .option('--port <port>', 'port on 127.0.0.1', (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('--port must be a port number');
      return port;
    }, 7401)
    .option('--secret-env <name>', 'check each delivery\'s signature with the secret in this environment variable')
    .action(async (flags: { port: number; secretEnv?: string }) => {
      const secret = flags.secretEnv === undefined ? undefined : process.env[flags.secretEnv];
      if (flags.secretEnv !== undefined && !secret) throw new UsageError(`--secret-env ${flags.secretEnv} is not set in the environment`);
      const receiver = new WebhookReceiver({
        port: flags.port,
        onReceive: (delivery) => {
          const signature = delivery.headers['x-jumpcloud-graph-signature'];
          const verified = secret === undefined ? '' : signature && WebhookReceiver.verify(delivery.body, signature, secret) ? ' signature ok' : ' SIGNATURE INVALID';
          process.stdout.write(`${new Date(delivery.at).toISOString()} delivery ${delivery.headers['x-jumpcloud-graph-delivery'] ?? '-'}${verified}\n${delivery.body}\n`);
        },
      });
      const url = await receiver.start();
      process.stderr.write(`jumpcloud-graph: receiving webhooks at ${url} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await receiver.stop();
    });
}

/** `alerts list`, `alerts test FILE`, `alerts receive` (docs/alerts.md). */
export function alertsCommand(): Command {
  return new Command('alerts').description('alert rules on the local graph: findings, trying a rules file, a receiver to try webhooks').addCommand(listCommand()).addCommand(testCommand()).addCommand(receiveCommand());
}
