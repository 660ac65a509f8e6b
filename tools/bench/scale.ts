import { cpSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { busiestWindow, createDataset, type DatasetOptions, JumpCloudSimulator, type SimulatorDataset } from '@jumpcloud-graph/jumpcloud-simulator';
import { procCpuMs, procStatusField, redisCommandsCalled, ScaleWorker, startRedis, type WorkerLogLine } from './scale-worker';
import { printTable } from './print-table';

/**
 * The worker's scale mode: one multi-tenant JumpCloud key (`organizations: all`) with many
 * organizations, served by one simulator (in this process), a real Redis, and 1, 2, 4... worker
 * processes sharing the runs through BullMQ and the key's budget. For each process count, all the
 * processes start at once and the clock runs from the first "worker ready" to the moment every
 * organization has ended a run (success or partial; a failure fails the bench). Printed per
 * process count: organizations synced a minute, the requests the simulator received a second
 * against the key's budget (and the most in any 10 s window against budget x 10), the most in
 * flight against maxInFlight, p50/p95 run time per organization, how the runs spread over the
 * processes, their peak RSS and CPU; then where it saturates, and why. Figures, not assertions.
 */
const { values } = parseArgs({
  options: {
    orgs: { type: 'string', default: '200' },
    users: { type: 'string', default: '1000' },
    processes: { type: 'string', default: '1,2,4' },
    /**
     * The key's requestsPerSecond (shared by every process). 150 on a 2-core machine: one process
     * (one run at a time) stays under it, two and more are held to it, and four are not yet held by
     * the CPU (measured: unbounded, 4 processes reach about 210 req/s with the machine's CPU full).
     */
    rps: { type: 'string', default: '150' },
    'max-in-flight': { type: 'string', default: '8' },
    /** maxConcurrentRunsPerKey: runs of the key at once across every process. */
    'runs-per-key': { type: 'string', default: '8' },
    /**
     * concurrency: runs at once per process. 1, so that one process is one run's worth of
     * requests (about 120 req/s at 20 ms) and the processes, not the slots within one, scale.
     */
    concurrency: { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '20' },
    /** A configuration that has not synced every organization after this many minutes fails. */
    'timeout-min': { type: 'string', default: '12' },
  },
});

const int = (name: keyof typeof values, min = 1): number => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${values[name]}`);
  return value;
};
/** Requests in flight per run (the instance's jumpcloud.concurrency). */
const RUN_CONCURRENCY = 8;
const orgCount = int('orgs');
const users = int('users');
const rps = int('rps');
const maxInFlight = int('max-in-flight');
const runsPerKey = int('runs-per-key');
const concurrency = int('concurrency');
const latencyMs = int('latency-ms', 0);
const timeoutMs = Number(values['timeout-min']) * 60_000;
const processCounts = String(values.processes)
  .split(',')
  .map((p) => Number(p.trim()));
if (processCounts.some((p) => !Number.isInteger(p) || p < 1)) throw new Error(`--processes must be a comma-separated list of counts, got ${values.processes}`);

const root = resolve(__dirname, '..', '..', '..');
const builtWorker = join(root, 'dist/apps/worker');
const tag = `${process.pid}-${Date.now().toString(36)}`;
/**
 * The build of the worker the bench runs: a copy of dist/apps/worker taken at start (inside the
 * workspace, so its externals resolve from node_modules), so that a rebuild while the bench runs
 * (which empties dist/apps/worker for a moment) neither breaks runs nor mixes two builds.
 */
const workerCopy = join(root, 'dist/tools/bench', `scale-worker-${tag}`);
const workerMain = join(workerCopy, 'main.js');
const cores = cpus().length;

/**
 * Per organization: `users` users and little else, so a run is dominated by its users (10 pages
 * of 100 at 1,000 users); the rest are a handful of objects of each kind so every list is read.
 */
const DATASET: DatasetOptions = {
  seed: 1,
  edgeCases: false,
  pastLogins: false,
  organizations: orgCount,
  users,
  groups: 5,
  membersPerGroup: 20,
  applications: 2,
  assignmentsPerApplication: 5,
  systems: 10,
  systemGroups: 2,
  membersPerSystemGroup: 3,
  usersPerSystem: 1,
  policies: 2,
  systemsPerPolicy: 2,
  systemGroupsPerPolicy: 1,
};

interface RunEnded {
  worker: number;
  org: string;
  status: string;
  durationMs: number;
  apiRequests?: number;
  at: number;
  error?: string;
}

interface Result {
  processes: number;
  startupMs: number;
  discoveryMs: number;
  elapsedMs: number;
  requests: number;
  requestsPerOrg: number;
  clientRequestsPerOrg: number;
  rps: number;
  max10s: number;
  maxInFlight: number;
  runMs: { p50: number; p95: number; max: number };
  runsPerProcess: number[];
  peakRssMb: number[];
  workerCpuS: number[];
  benchCpuS: number;
  redisCpuS?: number;
  /** Commands Redis ran while the configuration ran (INFO commandstats), when it could be asked. */
  redisCommands?: number;
  /** RSS of each process when it logged "worker ready" (before any run). */
  readyRssMb: number[];
  averageRunsInProgress: number;
  runSlots: number;
  duplicates: string[];
  notable: Map<string, { count: number; example: WorkerLogLine }>;
}

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);

function workerConfig(redisUrl: string, baseUrl: string, dir: string, processes: number): object {
  return {
    http: { port: 0 },
    redisUrl,
    concurrency,
    logLevel: 'info',
    queue: { name: `bench-scale-${tag}-${processes}`, lockDurationMs: 30_000, stalledIntervalMs: 30_000, retryDelayMs: 1_000 },
    instances: [
      {
        id: 'msp',
        organizations: 'all',
        discoveryIntervalSeconds: 3600,
        // each organization runs once right after the first discovery, then not for a day
        intervalSeconds: 86_400,
        mode: 'full',
        jumpcloud: {
          apiKeyEnv: 'BENCH_JUMPCLOUD_API_KEY',
          baseUrl,
          requestsPerSecond: rps,
          maxInFlight,
          maxConcurrentRunsPerKey: runsPerKey,
          concurrency: RUN_CONCURRENCY,
        },
        target: { type: 'local', db: join(dir, 'msp-{orgId}.db') },
      },
    ],
  };
}

async function runConfiguration(dataset: SimulatorDataset, redis: { url: string; pid?: number }, processes: number): Promise<Result> {
  // A key of its own per configuration: the budget's Redis keys (named by the key's hash) start empty.
  const sim = new JumpCloudSimulator({ dataset, latencyMs, apiKey: `bench-scale-${tag}-${processes}`, requestLogLimit: orgCount * 200 + 10_000 });
  await sim.start();
  const dir = mkdtempSync(join(tmpdir(), 'jcg-bench-scale-'));
  const workers: ScaleWorker[] = [];
  try {
    const configFile = join(dir, 'worker.json');
    writeFileSync(configFile, JSON.stringify(workerConfig(redis.url, sim.baseUrl, dir, processes), null, 2));
    const benchCpuBefore = process.cpuUsage();
    const redisCpuBefore = redis.pid ? procCpuMs(redis.pid) : undefined;
    const redisCommandsBefore = await redisCommandsCalled(redis.url);
    const readyRssMb: number[] = new Array<number>(processes).fill(NaN);
    const spawnedAt = Date.now();
    const ended = new Map<string, RunEnded[]>();
    const notable = new Map<string, { count: number; example: WorkerLogLine }>();
    let firstReady: number | undefined;
    let discoveredAt: number | undefined;
    let settle!: (error?: Error) => void;
    const done = new Promise<void>((resolvePromise, reject) => (settle = (error) => (error ? reject(error) : resolvePromise())));
    const successes = () => [...ended.values()].filter((runs) => runs.some((r) => r.status === 'success' || r.status === 'partial')).length;
    for (let i = 0; i < processes; i++) {
      const worker = new ScaleWorker(i, workerMain, configFile, { BENCH_JUMPCLOUD_API_KEY: sim.apiKey });
      worker.onLine((line) => {
        if (line.msg === 'worker ready') {
          firstReady ??= line.time;
          readyRssMb[i] = (procStatusField(worker.pid, 'VmRSS') ?? NaN) / 1024;
        }
        if (line.msg === 'discovery ended') {
          if (line.status !== 'success') return settle(new Error(`discovery failed on process ${i}: ${String(line['error'])}`));
          discoveredAt ??= line.time;
        }
        if (line.level >= 40 || /dropped|put back|lost|stalled/.test(line.msg)) {
          const key = `${line.level >= 50 ? 'error' : line.level >= 40 ? 'warn' : 'info'}: ${line.msg}`;
          const seen = notable.get(key);
          if (seen) seen.count++;
          else notable.set(key, { count: 1, example: line });
        }
        if (line.msg !== 'run ended') return;
        const org = String(line.org);
        const run: RunEnded = { worker: i, org, status: String(line.status), durationMs: Number(line['durationMs']), at: line.time };
        if (typeof line['apiRequests'] === 'number') run.apiRequests = line['apiRequests'];
        if (typeof line['error'] === 'string') run.error = line['error'];
        ended.set(org, [...(ended.get(org) ?? []), run]);
        if (run.status === 'failure') return settle(new Error(`organization ${org} failed on process ${i} after ${run.durationMs} ms: ${run.error ?? 'no error logged'}`));
        if (successes() === orgCount) settle();
      });
      void worker.exited.then((code) => settle(new Error(`worker process ${i} exited (${code}) before every organization was synced; stderr: ${worker.stderr.trim().slice(-2000)}`)));
      workers.push(worker);
    }
    let progress: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      progress = setInterval(() => process.stderr.write(`  ${processes} process(es): ${successes()}/${orgCount} organizations, ${sim.stats().total} requests, ${((Date.now() - spawnedAt) / 1000).toFixed(0)} s\n`), 30_000);
      timer = setTimeout(() => settle(new Error(`${processes} process(es): only ${successes()} of ${orgCount} organizations synced after ${values['timeout-min']} min`)), timeoutMs);
      await done;
    } finally {
      clearInterval(progress);
      clearTimeout(timer);
    }
    const finishedAt = Math.max(...[...ended.values()].flat().map((r) => r.at));
    // A little longer, to see any run that should not happen (an organization synced twice).
    await new Promise((r) => setTimeout(r, 3_000));
    const peakRssMb = workers.map((w) => (w.peakRssKb() ?? NaN) / 1024);
    const workerCpuS = workers.map((w) => (w.cpuMs() ?? NaN) / 1000);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const redisCpuAfter = redis.pid ? procCpuMs(redis.pid) : undefined;
    const redisCommandsAfter = await redisCommandsCalled(redis.url);
    const stats = sim.stats();
    const log = sim.requestLog;
    if (log.length < stats.total) throw new Error(`the simulator kept ${log.length} of ${stats.total} requests: raise requestLogLimit`);
    const clockStart = firstReady ?? spawnedAt;
    const elapsedMs = finishedAt - clockStart;
    const firstRuns = [...ended.values()].map((runs) => runs.find((r) => r.status === 'success' || r.status === 'partial') as RunEnded);
    const durations = firstRuns.map((r) => r.durationMs).sort((a, b) => a - b);
    const clientRequests = firstRuns.map((r) => r.apiRequests ?? NaN).sort((a, b) => a - b);
    const perOrg = new Map<string, number>();
    for (const entry of log) if (entry.orgId && !entry.orgId.includes(',')) perOrg.set(entry.orgId, (perOrg.get(entry.orgId) ?? 0) + 1);
    const runsPerProcess = workers.map((w) => w.logs.filter((l) => l.msg === 'run ended').length);
    const stopped = await Promise.all(workers.map((w) => w.stop()));
    if (stopped.some((code) => code !== 0)) process.stderr.write(`  exit codes after SIGTERM: ${stopped.join(', ')}\n`);
    for (const worker of workers) if (worker.garbage.length > 0) process.stderr.write(`  process ${worker.index}: ${worker.garbage.length} lines of stdout were not JSON, e.g. ${worker.garbage[0]}\n`);
    return {
      processes,
      startupMs: clockStart - spawnedAt,
      discoveryMs: (discoveredAt ?? clockStart) - clockStart,
      elapsedMs,
      requests: stats.total,
      requestsPerOrg: quantile([...perOrg.values()].sort((a, b) => a - b), 0.5),
      clientRequestsPerOrg: quantile(clientRequests, 0.5),
      // arrivals while the clock ran (discovery included) over the clock
      rps: log.filter((e) => e.startedAt >= clockStart && e.startedAt <= finishedAt).length / (elapsedMs / 1000),
      max10s: busiestWindow(
        log.map((e) => e.startedAt),
        10_000,
      ),
      maxInFlight: stats.maxInFlight,
      runMs: { p50: quantile(durations, 0.5), p95: quantile(durations, 0.95), max: durations[durations.length - 1] },
      runsPerProcess,
      peakRssMb,
      workerCpuS,
      benchCpuS: (benchCpu.user + benchCpu.system) / 1e6,
      ...(redisCpuBefore !== undefined && redisCpuAfter !== undefined ? { redisCpuS: (redisCpuAfter - redisCpuBefore) / 1000 } : {}),
      ...(redisCommandsBefore !== undefined && redisCommandsAfter !== undefined ? { redisCommands: redisCommandsAfter - redisCommandsBefore } : {}),
      readyRssMb,
      averageRunsInProgress: durations.reduce((a, b) => a + b, 0) / elapsedMs,
      runSlots: Math.min(processes * concurrency, runsPerKey),
      duplicates: [...ended.entries()].filter(([, runs]) => runs.length > 1).map(([org, runs]) => `${org} x${runs.length} (${runs.map((r) => `p${r.worker} ${r.status}`).join(', ')})`),
      notable,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const orgsPerMin = (r: Result) => orgCount / (r.elapsedMs / 60_000);
/** CPU the run took of the machine: workers, the simulator (this process) and Redis, over every core. */
const machineUse = (r: Result) => (r.workerCpuS.reduce((a, b) => a + b, 0) + r.benchCpuS + (r.redisCpuS ?? 0)) / ((r.elapsedMs / 1000) * cores);
/** The budget counts as the bound when the busiest 10 s window used at least 90% of it and the average 80%. */
const budgetBound = (r: Result) => r.max10s >= 0.9 * rps * 10 && r.rps >= 0.8 * rps;

function verdict(r: Result): string {
  if (budgetBound(r))
    return (
      `bounded by the key's budget (${pct(r.rps / rps)} of ${rps} req/s on average, ${pct(r.max10s / (rps * 10))} in the busiest 10 s), not by the workers ` +
      `(${pct(machineUse(r))} of ${cores} cores busy; runs wait for requests: run p50 ${(r.runMs.p50 / 1000).toFixed(2)} s)`
    );
  if (machineUse(r) >= 0.85) return `bounded by the machine's CPU (${pct(machineUse(r))} of ${cores} cores busy), not by the budget (${pct(r.rps / rps)} of it)`;
  if (r.averageRunsInProgress >= 0.85 * r.runSlots && r.maxInFlight >= maxInFlight && r.runSlots * RUN_CONCURRENCY > maxInFlight)
    return `bounded by the key's maxInFlight (${maxInFlight} reached; about ${((r.rps * latencyMs) / 1000).toFixed(1)} in flight on average by req/s x latency) with the run slots full (${r.averageRunsInProgress.toFixed(1)} of ${r.runSlots} on average): runs wait for in-flight slots; ${pct(r.rps / rps)} of the budget, ${pct(machineUse(r))} of the CPU`;
  if (r.averageRunsInProgress >= 0.85 * r.runSlots)
    return `bounded by runs at once (${r.averageRunsInProgress.toFixed(1)} on average of ${r.runSlots} slots: min(processes x concurrency, maxConcurrentRunsPerKey)), each run by its requests' latency; ${pct(r.rps / rps)} of the budget, ${pct(machineUse(r))} of the CPU`;
  return `not saturated by the budget (${pct(r.rps / rps)}), the CPU (${pct(machineUse(r))}) or the run slots (${r.averageRunsInProgress.toFixed(1)} of ${r.runSlots}): look at the scheduling (discovery ${(r.discoveryMs / 1000).toFixed(1)} s, start-up ${(r.startupMs / 1000).toFixed(1)} s)`;
}

async function main(): Promise<void> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (existsSync(join(builtWorker, 'main.js')) && existsSync(join(builtWorker, 'local-graph-thread.js'))) break;
    if (attempt === 20) throw new Error(`${builtWorker} is missing: run NX_DAEMON=false npx nx run worker:build first`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const builtAt = statSync(join(builtWorker, 'main.js')).mtime.toISOString();
  cpSync(builtWorker, workerCopy, { recursive: true });
  try {
    await bench(started, builtAt);
  } finally {
    rmSync(workerCopy, { recursive: true, force: true });
  }
}

async function bench(started: number, builtAt: string): Promise<void> {
  const generated = performance.now();
  const dataset = createDataset(DATASET);
  process.stderr.write(`dataset: ${orgCount} organizations x ${users} users generated in ${((performance.now() - generated) / 1000).toFixed(1)} s\n`);
  const own = process.env['REDIS_URL'] ? undefined : await startRedis();
  const redis = own ?? { url: process.env['REDIS_URL'] as string };
  const results: Result[] = [];
  try {
    for (const processes of processCounts) {
      process.stderr.write(`${processes} process(es)...\n`);
      results.push(await runConfiguration(dataset, redis, processes));
      const r = results[results.length - 1];
      process.stderr.write(`${processes} process(es): ${orgCount} organizations in ${(r.elapsedMs / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await own?.stop();
  }

  console.log(
    `${orgCount} organizations x ${users} users on one multi-tenant key; simulator latency ${latencyMs} ms (in the bench process); Redis ${own ? 'own redis-server' : redis.url}; ${cores} cores; worker build of ${builtAt}\n` +
      `key budget: requestsPerSecond ${rps}, maxInFlight ${maxInFlight}, maxConcurrentRunsPerKey ${runsPerKey}; concurrency ${concurrency} run(s) per process, ${RUN_CONCURRENCY} requests in flight per run; mode full\n` +
      'clock: first "worker ready" to the last organization\'s "run ended"; requests counted where they arrive (the simulator)',
  );
  printTable(
    [
      'processes',
      'orgs/min',
      'wall s',
      'req/s / budget',
      'max req in 10 s / budget x 10',
      'max in flight / maxInFlight',
      'run p50 / p95 s',
      'runs per process',
      'peak RSS MB per process',
      'CPU s per process',
      'sim + Redis CPU s',
      'machine CPU',
      'runs in progress / slots',
    ],
    results.map((r) => {
      const max10Limit = rps * 10 * 1.05;
      return [
        String(r.processes),
        orgsPerMin(r).toFixed(1),
        (r.elapsedMs / 1000).toFixed(1),
        `${r.rps.toFixed(1)} / ${rps} (${pct(r.rps / rps)})`,
        `${r.max10s} / ${rps * 10} ${r.max10s <= max10Limit ? 'OK' : 'EXCEEDED'}`,
        `${r.maxInFlight} / ${maxInFlight} ${r.maxInFlight <= maxInFlight ? 'OK' : 'EXCEEDED'}`,
        `${(r.runMs.p50 / 1000).toFixed(2)} / ${(r.runMs.p95 / 1000).toFixed(2)}`,
        r.runsPerProcess.join(' / '),
        r.peakRssMb.map((m) => m.toFixed(0)).join(' / '),
        r.workerCpuS.map((s) => s.toFixed(0)).join(' / '),
        `${r.benchCpuS.toFixed(0)} + ${r.redisCpuS === undefined ? '?' : r.redisCpuS.toFixed(0)}`,
        pct(machineUse(r)),
        `${r.averageRunsInProgress.toFixed(1)} / ${r.runSlots}`,
      ];
    }),
  );
  console.log('');
  for (const r of results) {
    console.log(
      `${r.processes} process(es): start-up ${(r.startupMs / 1000).toFixed(1)} s (spawn to first ready), discovery ended ${(r.discoveryMs / 1000).toFixed(1)} s after; ` +
        `${r.requests} requests (${r.requestsPerOrg} per organization at the simulator, ${r.clientRequestsPerOrg} by the worker's count, median); ` +
        `slowest run ${(r.runMs.max / 1000).toFixed(2)} s; RSS at "worker ready" ${r.readyRssMb.map((m) => m.toFixed(0)).join(' / ')} MB; ` +
        `${r.redisCommands === undefined ? '' : `Redis ran ${r.redisCommands} commands (${(r.redisCommands / r.requests).toFixed(1)} per JumpCloud request); `}${r.duplicates.length === 0 ? 'no organization synced twice' : `synced more than once: ${r.duplicates.join('; ')}`}`,
    );
    for (const [key, { count, example }] of r.notable) console.log(`  logged ${count}x ${key} (e.g. ${JSON.stringify({ ...example, pid: undefined, hostname: undefined })})`);
  }

  console.log('\nsaturation:');
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    const previous = results[i - 1];
    const gain = previous ? `; from ${previous.processes} to ${r.processes} processes: ${orgsPerMin(r) >= orgsPerMin(previous) ? '+' : ''}${pct(orgsPerMin(r) / orgsPerMin(previous) - 1)} organizations a minute` : '';
    console.log(`- ${r.processes} process(es): ${orgsPerMin(r).toFixed(1)} organizations a minute, ${verdict(r)}${gain}.`);
  }
  const bound = results.filter((r) => budgetBound(r));
  const perOrg = results[0]?.requestsPerOrg ?? 0;
  const ceiling = perOrg > 0 ? (rps * 60) / perOrg : NaN;
  // each rate slot lives 1.05 s (the budget's margin), so R slots give at most R / 1.05 a second
  const effective = ceiling / 1.05;
  console.log(
    `The key's budget alone allows ${rps} req/s / ${perOrg} requests an organization = ${ceiling.toFixed(1)} organizations a minute, ` +
      `${effective.toFixed(1)} with the budget's 5% margin (a rate slot lives 1.05 s, so at most ${pct(1 / 1.05)} of ${rps} req/s is handed out). ` +
      (bound.length > 0
        ? `It is the bound from ${bound[0].processes} process(es) on: more processes add CPU and run slots, but the key hands out no more requests: ` +
          bound.map((r) => `${r.processes} process(es) ${orgsPerMin(r).toFixed(1)} orgs/min (${pct(orgsPerMin(r) / effective)} of ${effective.toFixed(1)})`).join(', ') +
          '.'
        : 'No process count here reached it: see the bound of each above.'),
  );
  process.stderr.write(`total ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
