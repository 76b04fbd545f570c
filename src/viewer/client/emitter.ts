// A small typed event emitter; a listener that throws is reported, never breaks the viewer.
export type Listener<T> = (detail: T) => void;

export class Emitter<E extends object> {
  private listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof E>(name: K, detail: E[K]): void {
    for (const fn of this.listeners.get(name) ?? []) {
      try {
        (fn as Listener<E[K]>)(detail);
      } catch (err) {
        console.error(`quire-viewer: a "${String(name)}" listener failed`, err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
