// Grouping rows by a key, in order of first appearance (the analyses group runs by configuration, model, bin).

/** The items of xs grouped by key(x); groups and their items keep the order of xs. */
export function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x), g = groups.get(k);
    if (g) g.push(x); else groups.set(k, [x]);
  }
  return groups;
}
