import { KeyedMutex } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('lets one holder of a key in at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const holder = async (name: string) => {
      const release = await mutex.lock(['product-H200']);
      order.push(`${name} in`);
      await tick();
      order.push(`${name} out`);
      release();
    };
    await Promise.all([holder('a'), holder('b'), holder('c')]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('does not hold up other keys', async () => {
    const mutex = new KeyedMutex();
    const release = await mutex.lock(['x']);
    await expect(mutex.lock(['y']).then((r) => (r(), 'entered'))).resolves.toBe('entered');
    release();
  });

  it('never deadlocks two holders that take the same keys in different orders', async () => {
    const mutex = new KeyedMutex();
    const both = async (keys: string[]) => {
      const release = await mutex.lock(keys);
      await tick();
      release();
    };
    await expect(Promise.all([both(['a', 'b']), both(['b', 'a'])])).resolves.toEqual([undefined, undefined]);
  });
});
