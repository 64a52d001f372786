/** Small helpers the read models share: code-point order, sorted string lists, snapshot encoding. */

/** Code-point order of ids (UTF-16 code units, the same for the ASCII ids of PRODUCT.md), as `COLLATE "C"`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Puts `value` in its place in a sorted list, unless it is already there; true when it was added. */
export function insertSorted(sorted: string[], value: string): boolean {
  const at = lowerBound(sorted, value);
  if (sorted[at] === value) return false;
  sorted.splice(at, 0, value);
  return true;
}

/** Takes `value` out of a sorted list; true when it was there. */
export function removeSorted(sorted: string[], value: string): boolean {
  const at = lowerBound(sorted, value);
  if (sorted[at] !== value) return false;
  sorted.splice(at, 1);
  return true;
}

/** A map's entries sorted by key, each turned into a JSON tuple: a snapshot independent of insertion order. */
export function sortedEntries<Value, Tuple>(
  map: ReadonlyMap<string, Value>,
  encode: (key: string, value: Value) => Tuple,
): Tuple[] {
  return [...map.keys()].sort(compareText).map((key) => encode(key, map.get(key) as Value));
}

/** Adds `value` to a short list unless it holds it already (the few keys one event touches). */
export function addOnce<Value>(list: Value[], value: Value): void {
  if (!list.includes(value)) list.push(value);
}
