import { execFile } from 'node:child_process';

/** Whether a Python file compiles, as Python would compile it to import it. */
export type PythonVerdict =
  | { readonly kind: 'compiles' }
  /** `line` and `column` are 1-based; the column counts UTF-16 code units, as the manifest's do. */
  | { readonly kind: 'syntax_error'; readonly line: number; readonly column: number; readonly message: string }
  | { readonly kind: 'no_python'; readonly python: string };

/** Compiles the Python file at this absolute path (never runs it). */
export type CompilePython = (file: string) => Promise<PythonVerdict>;

/**
 * Reads the file in its declared encoding (PEP 263, UTF-8 by default), then compile()s it: the
 * same errors as an import (so `return` outside a function too, which a bare parse misses), the
 * first one only, as Python stops there. Prints one JSON line.
 */
const SCRIPT = String.raw`
import io, json, re, sys, tokenize
path = sys.argv[1]
with open(path, 'rb') as handle:
    raw = handle.read()

def report(message, line, prefix):
    column = len(prefix.encode('utf-16-le')) // 2 + 1
    print(json.dumps({'kind': 'syntax_error', 'line': line, 'column': column, 'message': message}))
    sys.exit(0)

try:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    text = raw.decode(encoding)
except UnicodeDecodeError as error:
    start = raw.rfind(b'\n', 0, error.start) + 1
    prefix = raw[start:error.start].decode(error.encoding, 'replace')
    report('SyntaxError: the file is not valid ' + error.encoding + ' (' + error.reason + ')', raw.count(b'\n', 0, error.start) + 1, prefix)
except (SyntaxError, LookupError) as error:
    report('SyntaxError: ' + str(error), 1, '')
try:
    compile(text, '<handler>', 'exec', dont_inherit=True)
except SyntaxError as error:
    line, offset = error.lineno, error.offset or 1
    if line is None:
        at = max(text.find('\0'), 0)
        line, offset = text.count('\n', 0, at) + 1, at - text.rfind('\n', 0, at)
    lines = re.split(r'\r\n|\r|\n', text)
    source_line = lines[line - 1] if 0 < line <= len(lines) else ''
    report(type(error).__name__ + ': ' + error.msg, line, source_line[:max(0, offset - 1)])
print(json.dumps({'kind': 'compiles'}))
`;

/**
 * A compiler that runs `python` (default `python3`) isolated (-I: no user site, no PYTHON*
 * variables; -S: no site packages, only the standard library is needed). A missing interpreter is a
 * verdict, not an error: the caller says so as a problem. Anything else that goes wrong (a crash,
 * a timeout) is thrown.
 */
export function makePythonCompiler(python = 'python3', timeoutMs = 15_000): CompilePython {
  return (file) =>
    new Promise((resolve, reject) => {
      execFile(python, ['-I', '-S', '-c', SCRIPT, file], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error !== null && 'code' in error && error.code === 'ENOENT') resolve({ kind: 'no_python', python });
        else if (error !== null) reject(new Error(`${python} could not check ${file}: ${stderr.trim() || error.message}`, { cause: error }));
        else {
          try {
            resolve(JSON.parse(stdout) as PythonVerdict);
          } catch (cause) {
            reject(new Error(`${python} gave an unexpected answer checking ${file}: ${stdout.slice(0, 200)}`, { cause }));
          }
        }
      });
    });
}
