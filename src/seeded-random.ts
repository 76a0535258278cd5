// A seeded random source, passed in wherever randomness is needed, so runs repeat exactly.

/**
 * A seeded generator of numbers in [0, 1) (mulberry32): the same sequence for the same seed.
 *
 * @example
 * const rng = seededRandom(42);
 * rng(); // => 0.6011037519201636 (the same on every run)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
