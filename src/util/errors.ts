/** An error caused by how crit was called (shapes, limits, files, released tensors). Its message names the problem. */
export class CritError extends Error {
  override name = 'CritError';
}

export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new CritError(typeof message === 'string' ? message : message());
}
