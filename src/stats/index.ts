// Public API of crit's statistics module (pure TypeScript, no GPU): the tests and models the paper uses,
// matching SciPy 1.10.1 and R lme4/lmerTest. See docs/stats.md.
export * from './types.js';
export * from './distributions.js';
export { npSum, npMean, mean, sampleVariance, zScore } from './numeric.js';
export { rankAverage, tieCounts, tieTerm, hasTies } from './ranks.js';
export * from './spearman.js';
export * from './wilcoxon.js';
export * from './mannwhitney.js';
export * from './anova.js';
export type { Matrix } from './linalg.js';
export * from './lmm/index.js';
export * from './csv.js';
export * from './levenbergMarquardt.js';
