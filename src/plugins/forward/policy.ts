/**
 * Upstream selection policies (CoreDNS plugin/forward/policy.go): the order in which one query
 * tries the upstreams. `random` shuffles per query, `round_robin` puts the next upstream first
 * and the others after it in configured order, `sequential` always uses the configured order.
 * Orders that do not depend on chance are computed once.
 */
export type PolicyName = 'random' | 'round_robin' | 'sequential';

/** Returns a function giving each query its order of `items` (never modify the arrays it returns). */
export function policyList<T>(name: PolicyName, items: readonly T[], random: () => number = Math.random): () => readonly T[] {
  const n = items.length;
  switch (name) {
    case 'sequential':
      return () => items;
    case 'round_robin': {
      // CoreDNS: the counter is incremented before use, so the first query starts at items[1].
      const orders = items.map((first, i) => [first, ...items.slice(0, i), ...items.slice(i + 1)]);
      let robin = 0;
      return () => {
        robin = (robin + 1) % n;
        return orders[robin]!;
      };
    }
    case 'random': {
      if (n <= 1) return () => items;
      if (n === 2) {
        const swapped = [items[1]!, items[0]!];
        return () => (random() < 0.5 ? swapped : items);
      }
      return () => {
        const out = items.slice();
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          const t = out[i]!;
          out[i] = out[j]!;
          out[j] = t;
        }
        return out;
      };
    }
  }
}
