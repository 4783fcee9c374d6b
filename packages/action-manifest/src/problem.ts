import type { ManifestProblem } from './definition.js';

/** Every problem code the package reports: stable identifiers that tools and tests can match on. */
export const PROBLEM_CODES = [
  'manifest_not_found',
  'ambiguous_manifest',
  'yaml_syntax',
  'duplicate_field',
  'not_a_mapping',
  'wrong_type',
  'unknown_field',
  'missing_field',
  'empty_value',
  'bad_api_version',
  'bad_kind',
  'bad_id',
  'bad_version',
  'bad_runtime',
  'bad_path',
  'handler_runtime_mismatch',
  'missing_handler',
  'handler_missing_export',
  'missing_logo',
  'logo_not_image',
  'logo_too_big',
  'logo_file_too_large',
  'bad_io_name',
  'duplicate_io_name',
  'bad_io_type',
  'enum_without_values',
  'duplicate_enum_value',
  'values_not_allowed',
  'bad_default',
  'default_not_allowed',
  'bad_cpu',
  'bad_memory',
  'bad_timeout',
  'handler_syntax_error',
  'python_not_found',
  'bad_injected_input',
  'unsupported_runtime',
  'unsupported_nix_dependencies',
  'unsupported_nix_overlays',
  'unsupported_option',
  'unsupported_addon',
  'unsupported_dynamic_outputs',
  'unsupported_gpu',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** `trellis.yaml:12:5: message`, the form compilers use, so editors and terminals can jump to it. */
export function formatProblem(problem: ManifestProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
