/** A seedable PRNG (mulberry32), so a randomised test that fails can be replayed with its seed. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    subset: <T>(items: readonly T[], min: number, max: number): T[] => {
      const shuffled = [...items].sort(() => next() - 0.5);
      return shuffled.slice(0, min + Math.floor(next() * (max - min + 1)));
    },
  };
}

/** The seed of this run: TEST_SEED when set, else a fixed one. */
export function testSeed(): number {
  const raw = process.env.TEST_SEED;
  return raw ? Number(raw) : 20261125;
}
