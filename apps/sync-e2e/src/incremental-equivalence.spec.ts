import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { type SyncModeOption } from '@jumpcloud-graph/ingestion-core';
import { CONTROL_OPERATIONS, type JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { type LocalGraphStore } from '@jumpcloud-graph/local-graph';
import { type Change, ChangeApplier, roundsArbitrary } from './mutations';
import { compareGraphs, describeDifferences, openStore, smallDataset, startSimulator, syncInto, tempFolder } from './sync-harness';

/**
 * Incremental sync is equivalent to a full one: after any series of directory changes, the graph
 * an incremental sync leaves in database A (full sync, then an incremental one per round of
 * changes) is the graph a full sync of the same directory writes into a fresh database B, every
 * entity and relationship with every property.
 *
 * The mode of A's rounds. 'full' checks the harness itself (two full syncs of one state must be
 * equal); 'incremental' is the property under test.
 */
const ROUND_MODE: SyncModeOption = 'incremental';

const NUM_RUNS = Number(process.env['EQUIVALENCE_RUNS'] ?? 200);
const SEED = process.env['EQUIVALENCE_SEED'] !== undefined ? Number(process.env['EQUIVALENCE_SEED']) : Date.now() % 2_147_483_647;
/** After this, fast-check skips the remaining runs (a failure's shrinking stops there; a passing run is far quicker). */
const TIME_BUDGET_MS = 150_000;

jest.setTimeout(TIME_BUDGET_MS + 90_000);

describe('incremental sync equivalence (simulator -> local graph)', () => {
  const folder = tempFolder('sync-e2e-equivalence-');
  const open: { sim?: JumpCloudSimulator; stores: LocalGraphStore[] } = { stores: [] };
  let caseNumber = 0;
  /** How often each control operation was applied, over every case (the generator must reach all of them). */
  const operationCounts = new Map<string, number>();

  afterEach(async () => {
    for (const store of open.stores.splice(0)) store.close();
    await open.sim?.stop();
  });

  afterAll(() => folder.cleanup());

  it(`a sync in '${ROUND_MODE}' mode after random changes gives the graph of a full sync`, async () => {
    process.stdout.write(`incremental equivalence: fast-check seed ${SEED}, ${NUM_RUNS} runs (EQUIVALENCE_SEED=${SEED} to replay)\n`);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), roundsArbitrary, async (datasetSeed, edgeCases, rounds) => {
        await checkCase(++caseNumber, datasetSeed, edgeCases, rounds);
      }),
      { seed: SEED, numRuns: NUM_RUNS, skipAllAfterTimeLimit: TIME_BUDGET_MS },
    );
    process.stdout.write(`incremental equivalence: ${NUM_RUNS} runs in ${Date.now() - started} ms; operations: ${JSON.stringify(Object.fromEntries(operationCounts))}\n`);
    if (NUM_RUNS >= 100) expect(CONTROL_OPERATIONS.filter((op) => !operationCounts.has(op))).toEqual([]);
  });

  async function checkCase(n: number, datasetSeed: number, edgeCases: boolean, rounds: Change[][]): Promise<void> {
    const sim = await startSimulator(smallDataset(datasetSeed, edgeCases));
    open.sim = sim;
    const applier = new ChangeApplier(sim, `c${n}`);
    const pathA = folder.path(`case-${n}-a.db`);
    const storeA = openStore(pathA);
    open.stores.push(storeA);
    try {
      await syncInto(sim, storeA, 'full');
      for (const [index, round] of rounds.entries()) {
        applier.applyAll(round);
        const summary = await syncInto(sim, storeA, ROUND_MODE);
        const runA = storeA.latestRun();
        const context = () =>
          [
            `fast-check seed ${SEED} (EQUIVALENCE_SEED=${SEED} to replay), case ${n}: dataset seed ${datasetSeed}, edgeCases ${edgeCases}, round ${index + 1} of ${rounds.length}`,
            `operations applied so far (every round):`,
            ...applier.applied.map((operation) => `  ${JSON.stringify(operation)}`),
          ].join('\n');
        if (runA?.mode !== ROUND_MODE || String(runA.id) !== summary.runId) {
          throw new Error(`the '${ROUND_MODE}' run of A committed as ${JSON.stringify({ mode: runA?.mode, id: runA?.id, runId: summary.runId })}\n${context()}`);
        }
        const pathB = folder.path(`case-${n}-b${index + 1}.db`);
        const storeB = openStore(pathB);
        let graphB;
        try {
          await syncInto(sim, storeB, 'full');
          graphB = storeB.exportGraph();
        } finally {
          storeB.close();
          removeDatabase(pathB);
        }
        const differences = compareGraphs(storeA.exportGraph(), graphB);
        if (differences.length > 0) {
          throw new Error(`the graph of A (${ROUND_MODE}) differs from a full sync's (B)\n${describeDifferences(differences, ['A', 'B'])}\n${context()}`);
        }
      }
    } finally {
      for (const operation of applier.applied) operationCounts.set(operation.op, (operationCounts.get(operation.op) ?? 0) + 1);
      open.stores.splice(open.stores.indexOf(storeA), 1);
      storeA.close();
      removeDatabase(pathA);
      open.sim = undefined;
      await sim.stop();
    }
  }
});

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.lock']) rmSync(`${path}${suffix}`, { force: true });
}
