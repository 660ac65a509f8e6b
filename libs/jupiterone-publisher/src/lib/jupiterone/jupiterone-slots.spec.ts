import { UploadSlots } from './jupiterone-slots';

describe('UploadSlots', () => {
  it('never grants more than its limit, and hands slots over in order', async () => {
    const slots = new UploadSlots(2);
    const signal = new AbortController().signal;
    const granted: number[] = [];
    await slots.acquire(signal);
    await slots.acquire(signal);
    const third = slots.acquire(signal).then(() => granted.push(3));
    const fourth = slots.acquire(signal).then(() => granted.push(4));
    await Promise.resolve();
    expect(granted).toEqual([]);
    expect(slots.inUse).toBe(2);
    slots.release();
    await third;
    expect(granted).toEqual([3]);
    expect(slots.inUse).toBe(2);
    slots.release();
    await fourth;
    slots.release();
    slots.release();
    expect(slots.inUse).toBe(0);
  });

  it('lets a waiter go when the signal aborts', async () => {
    const slots = new UploadSlots(1);
    const controller = new AbortController();
    await slots.acquire(controller.signal);
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('aborted'));
    await expect(waiting).rejects.toThrow('aborted');
    slots.release();
    expect(slots.inUse).toBe(0);
    await expect(slots.acquire(controller.signal)).rejects.toThrow('aborted');
  });
});
