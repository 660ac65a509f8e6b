import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { type Logger, silentLogger } from '@jumpcloud-graph/domain';
import { SyncRunner, type SyncModeOption, type SyncSummary } from '@jumpcloud-graph/ingestion-core';
import { createJumpCloudClient, JumpCloudApiSource } from '@jumpcloud-graph/jumpcloud-client';
import { type DatasetOptions, type JumpCloudSimulator, type OrganizationData, startJumpCloudSimulator, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';
import { type ExportedGraph, LocalGraphStore } from '@jumpcloud-graph/local-graph';

export const CONSOLE_URL = 'https://console.jumpcloud.com';

/** Retries that keep a failing run short: a few attempts, a few milliseconds apart. */
export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 50 };

/** A small directory: a handful of each kind of object (edge cases add about two dozen more). */
export function smallDataset(seed: number, edgeCases = false): DatasetOptions {
  return {
    seed,
    users: 6,
    groups: 2,
    membersPerGroup: [3, 2],
    applications: 2,
    assignmentsPerApplication: 2,
    systems: 3,
    systemGroups: 1,
    membersPerSystemGroup: 2,
    usersPerSystem: 2,
    policies: 2,
    systemsPerPolicy: 1,
    systemGroupsPerPolicy: 1,
    pastLogins: true,
    edgeCases,
  };
}

export function startSimulator(dataset: DatasetOptions, options: Omit<SimulatorOptions, 'dataset'> = {}): Promise<JumpCloudSimulator> {
  return startJumpCloudSimulator({ dataset, requestLogLimit: 1000, ...options });
}

/** A folder for the databases of a test file; `cleanup()` removes it. */
export function tempFolder(prefix = 'sync-e2e-'): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openStore(path: string): LocalGraphStore {
  return LocalGraphStore.open(path);
}

/**
 * The simulator stamps each recorded event with its clock, one millisecond after the previous one
 * when several come in the same millisecond, so a burst of operations can be stamped a few
 * milliseconds ahead of the real time. JumpCloud never serves an event from the future; wait until
 * the real clock has passed the last event before a sync reads Directory Insights.
 */
export async function settleClock(sim: JumpCloudSimulator): Promise<void> {
  const organization = sim.dataset.organizations[0] as OrganizationData;
  const events = sim.control.events(organization.organization._id);
  const last = events.length === 0 ? 0 : Date.parse(events[events.length - 1]?.timestamp ?? '');
  while (Number.isFinite(last) && Date.now() <= last) await delay(1);
}

/** One sync of the simulator into the store, with a client (and so request counts) of its own. */
export async function syncInto(sim: JumpCloudSimulator, store: LocalGraphStore, mode: SyncModeOption, logger: Logger = silentLogger): Promise<SyncSummary> {
  await settleClock(sim);
  const client = createJumpCloudClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, retry: FAST_RETRY, timeoutMs: 10_000, logger });
  const source = new JumpCloudApiSource(client);
  const runner = new SyncRunner(source, store, logger, { consoleUrl: CONSOLE_URL, tagAccountName: false, includeSshKeys: false, mode });
  return runner.run();
}

type GraphObject = Record<string, unknown> & { _key: string };

export interface GraphDifference {
  kind: 'entity' | 'relationship';
  key: string;
  /** undefined on the side that does not have the object. */
  left: GraphObject | undefined;
  right: GraphObject | undefined;
  /** Top-level properties whose values differ (every property of the object when one side lacks it). */
  properties: string[];
}

function byKey(objects: readonly object[], kind: string): Map<string, GraphObject> {
  const map = new Map<string, GraphObject>();
  for (const object of objects as GraphObject[]) {
    if (map.has(object._key)) throw new Error(`the graph holds two ${kind} objects with _key ${object._key}`);
    map.set(object._key, object);
  }
  return map;
}

/** Every entity and relationship that is not in both graphs, or differs in a property, ordered by kind then key. */
export function compareGraphs(left: ExportedGraph, right: ExportedGraph): GraphDifference[] {
  const differences: GraphDifference[] = [];
  for (const kind of ['entity', 'relationship'] as const) {
    const l = byKey(kind === 'entity' ? left.entities : left.relationships, kind);
    const r = byKey(kind === 'entity' ? right.entities : right.relationships, kind);
    const keys = [...new Set([...l.keys(), ...r.keys()])].sort();
    for (const key of keys) {
      const a = l.get(key);
      const b = r.get(key);
      if (a && b && isDeepStrictEqual(a, b)) continue;
      const names = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
      const properties = a && b ? names.filter((name) => !isDeepStrictEqual(a[name], b[name])) : names;
      differences.push({ kind, key, left: a, right: b, properties });
    }
  }
  return differences;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Where two values differ: the paths of the differing leaves (a value that is an object on one side only is a leaf). */
function differingPaths(left: unknown, right: unknown, path: string): { path: string; left: unknown; right: unknown }[] {
  if (isDeepStrictEqual(left, right)) return [];
  if (!isContainer(left) || !isContainer(right) || Array.isArray(left) !== Array.isArray(right)) return [{ path, left, right }];
  const names = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return names.flatMap((name) => differingPaths(left[name], right[name], Array.isArray(left) ? `${path}[${name}]` : `${path}.${name}`));
}

/** The first few differences, each with both values (of the differing properties, or the whole object when one side lacks it). */
export function describeDifferences(differences: readonly GraphDifference[], labels: [string, string], limit = 5): string {
  const lines = [`${differences.length} object(s) differ:`];
  for (const d of differences.slice(0, limit)) {
    if (!d.left || !d.right) {
      lines.push(`  ${d.kind} ${d.key}: only in ${d.left ? labels[0] : labels[1]}: ${show(d.left ?? d.right)}`);
      continue;
    }
    lines.push(`  ${d.kind} ${d.key} (_type ${String(d.left['_type'])}):`);
    for (const name of d.properties) {
      for (const path of differingPaths(d.left[name], d.right[name], name).slice(0, 5)) {
        lines.push(`    ${path.path}: ${labels[0]}=${show(path.left)} ${labels[1]}=${show(path.right)}`);
      }
    }
  }
  if (differences.length > limit) lines.push(`  ... and ${differences.length - limit} more`);
  return lines.join('\n');
}
