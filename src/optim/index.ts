/** Optimizers, gradient clipping and learning-rate schedules (torch.optim semantics). */
export { Optimizer, ParamGroup, type ParamGroupSpec, type OptimizerStateDict, type OptimizerMeta, type Hyper } from "./optimizer.js";
export { SGD, type SgdOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { clipGradNorm } from "./clip.js";
export { StepLR, LambdaLR, ReduceLROnPlateau, decayAfter, type HasLr, type ReduceLROnPlateauOptions, type SchedulerStateDict } from "./schedule.js";
export { ASGD, type AsgdOptions } from "./asgd.js";
export { NTASGD, NonMonotonicTrigger, type NtAsgdOptions } from "./nt-asgd.js";
