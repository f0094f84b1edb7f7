// The differentiable ops, one file per family; the table of rules is `opTable`.
export * from './elementwise.js';
export * from './reduce.js';
export * from './layout.js';
export * from './matmul.js';
export * from './softmax.js';
export * from './conv.js';
export { depthwiseConv2d, depthwiseOp, depthwiseInputGradOp, depthwiseWeightGradOp, type DepthwiseAttrs } from './depthwise.js';
export * from './random.js';
export * from './create.js';
export { opTable, defineOp, apply, type OpRule, type HostTensor } from './op.js';
