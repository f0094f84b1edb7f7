// Linear mixed models with one random intercept (lme4 + lmerTest semantics).
export { parseFormula, FormulaError, type ParsedFormula, type FixedTerm } from './formula.js';
export { modelFrame, numericColumn, factorColumn, DataError, type DataColumns, type ModelFrame, type ModelFrameOptions } from './modelMatrix.js';
export { ProfiledLmm, type ThetaEval, type ThetaDerivs } from './profile.js';
export { brentMin, minimizeTheta, type ThetaOptimum } from './optimize.js';
export { satterthwaite, type SatterthwaiteResult } from './satterthwaite.js';
export { r2Nakagawa, r2Performance, PERFORMANCE_SINGULAR_TOL, type R2Result } from './r2.js';
export { lmm, fitFrame, summarizeAt, SINGULAR_TOL, SINGULAR_MESSAGE, type LmmFit, type LmmOptions } from './fit.js';
export { lmmAllSubsets, type SubsetRow, type AllSubsetsOptions } from './allSubsets.js';
