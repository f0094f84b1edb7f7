// Shared by the model tests: how far a float32 result is from a float64 reference.

/** max |got − want| / max |want|; absolute where want is all zero (e.g. a ReLU that is off for every input). */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0, m = 0;
  for (let i = 0; i < want.length; i++) { e = Math.max(e, Math.abs(got[i] - want[i])); m = Math.max(m, Math.abs(want[i])); }
  return m > 0 ? e / m : e;
}
