import { type JumpCloudSimulator, startJumpCloudSimulator, type SimulatorOptions } from '../simulator';

/**
 * A simulator per describe block whose clock the test moves (`clock.now`): started before the
 * block's tests, stopped after them. `sim()` is the running simulator.
 */
export function useClockedSimulator(options: Omit<SimulatorOptions, 'now'>, start: number) {
  const clock = { now: start };
  const holder: { sim?: JumpCloudSimulator } = {};
  beforeAll(async () => {
    holder.sim = await startJumpCloudSimulator({ ...options, now: () => clock.now });
  });
  afterAll(async () => {
    await holder.sim?.stop();
  });
  const sim = () => {
    if (!holder.sim) throw new Error('simulator not started');
    return holder.sim;
  };
  return { clock, sim };
}
