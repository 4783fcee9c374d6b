/** The fields a trellis.yaml may have, level by level. The JSON Schema in docs/ is tested against these. */
export const API_VERSION = 'trellis.dev/v1';
export const MANIFEST_FIELDS = ['apiVersion', 'kind', 'id', 'version', 'name', 'description', 'runtime', 'handler', 'categories', 'logo', 'inputs', 'outputs', 'resources'] as const;
export const REQUIRED_FIELDS = ['apiVersion', 'kind', 'id', 'version', 'name', 'runtime'] as const;
export const INPUT_FIELDS = ['name', 'type', 'help', 'optional', 'values', 'default'] as const;
/** Outputs take no default: the handler returns every value it produces. */
export const OUTPUT_FIELDS = ['name', 'type', 'help', 'optional', 'values'] as const;
export const RESOURCE_FIELDS = ['cpu', 'memory', 'timeout'] as const;
export const DEFAULT_HANDLERS = { nodejs: 'handler.js', python: 'handler.py' } as const;
/** Handler extensions each runtime can load. */
export const HANDLER_EXTENSIONS = { nodejs: ['.js', '.mjs', '.cjs'], python: ['.py'] } as const;
