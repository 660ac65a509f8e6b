/**
 * Mongo-style ObjectIds (24 hex chars: 4-byte seconds, 5-byte "machine", 3-byte counter).
 * The seconds advance with the counter, so ids sort in creation order and the `_id` order the
 * API pages by equals the order objects were generated in. The machine part comes from the seed,
 * so different seeds give different ids.
 */
export class ObjectIdFactory {
  private counter = 0;

  constructor(
    private readonly machine: string,
    private readonly baseSeconds: number,
    private readonly secondsPerId: number,
  ) {
    if (!/^[0-9a-f]{10}$/.test(machine)) throw new RangeError('machine must be 10 lower-case hex chars');
  }

  /** The next id and the epoch seconds embedded in it (used as the object's creation time). */
  next(): { id: string; seconds: number } {
    const count = this.counter++;
    if (count > 0xffffff) throw new RangeError('ObjectIdFactory: more than 16M ids in one dataset');
    const seconds = this.baseSeconds + count * this.secondsPerId;
    const id = seconds.toString(16).padStart(8, '0') + this.machine + count.toString(16).padStart(6, '0');
    return { id, seconds };
  }
}
