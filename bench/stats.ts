/** Median, min and max of a set of measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (index: number) => sorted[index] ?? Number.NaN;
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1) };
}

/** `12 (10–15)`, or `12` when every measurement agreed. */
export function cell({ median, min, max }: Spread, digits = 0): string {
  const format = (value: number) => value.toFixed(digits);
  return min === max ? format(median) : `${format(median)} (${format(min)}–${format(max)})`;
}
