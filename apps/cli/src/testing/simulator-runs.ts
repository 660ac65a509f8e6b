import { type FaultRule, JumpCloudSimulator, type SimulatorDataset, type SimulatorOptions } from '@jumpcloud-graph/jumpcloud-simulator';

/**
 * Runs each `withSimulator` call against a fresh simulator on the same port: webLink carries the
 * base URL's origin, and a new port would make every entity of a second sync look updated. Call
 * `reset` between tests (beforeEach), so each test starts on a free port.
 */
export function simulatorRuns() {
  let port = 0;
  return {
    reset(): void {
      port = 0;
    },
    async withSimulator<T>(
      dataset: SimulatorDataset,
      run: (sim: JumpCloudSimulator) => Promise<T>,
      faults: FaultRule[] = [],
      options: Pick<SimulatorOptions, 'systemInsights'> = {},
    ): Promise<T> {
      const sim = new JumpCloudSimulator({ ...options, dataset, faults, port });
      port = Number(new URL(await sim.start()).port);
      try {
        return await run(sim);
      } finally {
        await sim.stop();
      }
    },
  };
}
