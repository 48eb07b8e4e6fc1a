/**
 * Run tasks one at a time per key and concurrently across keys: a citizen's turns stay in
 * order (their session state is read-modify-write), while one slow or chatty contact never
 * delays another.
 */
export function createKeyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const prev = tails.get(key) ?? Promise.resolve();
      const result = prev.then(task, task);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    /** Keys with work queued or running. */
    get size() {
      return tails.size;
    },
  };
}
