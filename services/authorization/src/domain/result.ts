// Results are the shared kernel's, so every service's use cases and edges speak the same shape.
export { ok, rejected, type Result } from '@trellis/kernel/result';
