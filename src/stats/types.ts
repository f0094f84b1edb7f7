/** The alternative hypothesis of a test (SciPy's `alternative`). */
export type Alternative = 'two-sided' | 'less' | 'greater';

export const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

/** Result of a hypothesis test. `warnings` carries SciPy's warning texts where SciPy would warn. */
export interface TestResult {
  statistic: number;
  pvalue: number;
  warnings: string[];
}

export function checkAlternative(alt: string): Alternative {
  if (!(ALTERNATIVES as readonly string[]).includes(alt)) throw new RangeError(`alternative must be one of ${ALTERNATIVES.join(', ')}, not '${alt}'`);
  return alt as Alternative;
}
