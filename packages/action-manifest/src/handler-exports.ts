import type { Runtime } from './definition.js';

/**
 * Whether a handler's source exports a function by this name. A static, lexical check (the file
 * is never run): comments are stripped, then the usual ways of exporting are looked for. It can be
 * fooled (an export built dynamically, or one inside a string), which is acceptable for a scan; the
 * wrapper checks again when it loads the handler.
 */
export function exportsFunction(code: string, runtime: Runtime, name: string): boolean {
  return runtime === 'python' ? pythonDefines(code, name) : nodeExports(code, name);
}

/**
 * Whether a Node handler's module is itself a function, as Ryax documents its Node actions
 * (`module.exports = handle;`), or its default export is one: `module.exports = ` a name, a
 * function, an arrow function or a `require(...)`; `export default` a name or a function.
 */
export function exportsModuleFunction(code: string): boolean {
  const text = stripJsComments(code);
  const fn = String.raw`(?:async\s+)?function\b|(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>`;
  const value = String.raw`(?:${fn}|require\s*\(|[A-Za-z_$][\w$]*\s*(?:;|$))`;
  return (
    new RegExp(String.raw`(?:^|[^.\w$])module\s*\.\s*exports\s*=\s*${value}`, 'm').test(text) ||
    new RegExp(String.raw`\bexport\s+default\s+${value}`, 'm').test(text)
  );
}

function nodeExports(code: string, name: string): boolean {
  const text = stripJsComments(code);
  const n = escapeRegExp(name);
  const direct = [
    new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*${n}\\s*\\(`),
    new RegExp(`\\bexport\\s+(?:const|let|var)\\s+${n}\\s*=`),
    new RegExp(`(?:^|[^.\\w$])(?:module\\.)?exports\\s*\\.\\s*${n}\\s*=`, 'm'),
    new RegExp(`(?:^|[^.\\w$])(?:module\\.)?exports\\s*\\[\\s*['"]${n}['"]\\s*\\]\\s*=`, 'm'),
  ];
  if (direct.some((pattern) => pattern.test(text))) return true;
  for (const match of text.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    if (exportedNames(match[1] ?? '').includes(name)) return true;
  }
  for (const match of text.matchAll(/\bmodule\s*\.\s*exports\s*=\s*\{([^}]*)\}/g)) {
    const property = new RegExp(`(?:^|[,{\\s])(?:async\\s+)?${n}\\s*(?:[,:(]|$)`);
    if (property.test(match[1] ?? '')) return true;
  }
  return false;
}

/** `a, b as c, d` → a, c, d */
function exportedNames(list: string): string[] {
  return list
    .split(',')
    .map((specifier) => specifier.trim().split(/\s+as\s+/).pop()?.trim() ?? '')
    .map((exported) => exported.replace(/^['"]|['"]$/g, ''))
    .filter((exported) => exported !== '');
}

function pythonDefines(code: string, name: string): boolean {
  const n = escapeRegExp(name);
  return new RegExp(`^(?:async\\s+)?def\\s+${n}\\s*\\(`, 'm').test(code) || new RegExp(`^${n}\\s*=`, 'm').test(code);
}

/** Removes /* *\/ and // comments; string contents are not tracked (a static check, see above). */
function stripJsComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\'"])\/\/.*$/gm, '$1');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
